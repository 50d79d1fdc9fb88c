package org.liaison.crypto.safety;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.liaison.crypto.ConstantTime;
import org.liaison.crypto.Labels;

/**
 * A number two people compare (read aloud, or by scanning a QR code) to know that the keys their
 * apps use for each other are the ones the other really holds. Each side's half is an iterated hash
 * of the user id and all of that user's device keys, so a new or replaced device changes it. Both
 * people compute the same 60 digits: the halves are ordered, not "mine first".
 */
public final class SafetyNumber {
  private static final int ITERATIONS = 5200;
  private static final int HALF_BYTES = 30;
  private static final byte VERSION = 1;

  private final byte[] lower;
  private final byte[] upper;

  private SafetyNumber(byte[] a, byte[] b) {
    boolean aFirst = Arrays.compareUnsigned(a, b) <= 0;
    this.lower = aFirst ? a : b;
    this.upper = aFirst ? b : a;
  }

  /** One person's identity: their user id and the public signature keys of all their devices. */
  public record Identity(String userId, List<byte[]> deviceKeys) {}

  public static SafetyNumber between(Identity one, Identity other) {
    return new SafetyNumber(fingerprint(one), fingerprint(other));
  }

  /** 60 digits, in 12 groups of 5 for reading aloud. */
  public String digits() {
    return digits(lower) + digits(upper);
  }

  public String grouped() {
    String all = digits();
    List<String> groups = new ArrayList<>();
    for (int i = 0; i < all.length(); i += 5) {
      groups.add(all.substring(i, i + 5));
    }
    return String.join(" ", groups);
  }

  /** What the QR code carries: version, then both halves in order. */
  public byte[] qrPayload() {
    byte[] out = new byte[1 + 2 * HALF_BYTES];
    out[0] = VERSION;
    System.arraycopy(lower, 0, out, 1, HALF_BYTES);
    System.arraycopy(upper, 0, out, 1 + HALF_BYTES, HALF_BYTES);
    return out;
  }

  /** True if a scanned payload shows the same keys as this device sees. */
  public boolean matchesScanned(byte[] payload) {
    return ConstantTime.equal(qrPayload(), payload);
  }

  private static String digits(byte[] half) {
    StringBuilder out = new StringBuilder(30);
    for (int chunk = 0; chunk < 6; chunk++) {
      long value = 0;
      for (int i = 0; i < 5; i++) {
        value = (value << 8) | (half[chunk * 5 + i] & 0xFF);
      }
      out.append(String.format("%05d", value % 100_000));
    }
    return out.toString();
  }

  private static byte[] fingerprint(Identity identity) {
    List<byte[]> keys = new ArrayList<>(identity.deviceKeys());
    keys.sort(Comparator.comparing(k -> k, Arrays::compareUnsigned));
    byte[] user = identity.userId().getBytes(StandardCharsets.UTF_8);
    MessageDigest sha512 = sha512();
    sha512.update(Labels.SAFETY_NUMBER.getBytes(StandardCharsets.US_ASCII));
    sha512.update(length(user));
    sha512.update(user);
    sha512.update(length(new byte[keys.size()]));
    for (byte[] key : keys) {
      sha512.update(length(key));
      sha512.update(key);
    }
    byte[] material = sha512.digest();
    byte[] hash = material;
    // Iterated so that grinding keys for a colliding number costs 5200 hashes per try.
    for (int i = 0; i < ITERATIONS; i++) {
      sha512.update(hash);
      sha512.update(material);
      hash = sha512.digest();
    }
    return Arrays.copyOf(hash, HALF_BYTES);
  }

  private static byte[] length(byte[] bytes) {
    return new byte[] {(byte) (bytes.length >>> 8), (byte) bytes.length};
  }

  private static MessageDigest sha512() {
    try {
      return MessageDigest.getInstance("SHA-512");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
