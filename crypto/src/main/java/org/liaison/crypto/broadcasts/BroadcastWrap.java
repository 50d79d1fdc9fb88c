package org.liaison.crypto.broadcasts;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.hpke.HPKE;
import org.liaison.crypto.Labels;

/**
 * A broadcast's content key sealed to one device's X25519 broadcast key: HPKE base mode with MLS
 * suite 1's algorithms (DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM), the broadcast and
 * device ids in {@code info} so a wrap cannot be replayed to another broadcast or device. Output
 * {@code enc[32] || ciphertext[48]}: 80 bytes per recipient device.
 */
public final class BroadcastWrap {
  public static final int KEY_LENGTH = 32;
  public static final int WRAP_LENGTH = 80;

  private BroadcastWrap() {}

  /** An X25519 key pair; {@link #toString} never shows the secret half. */
  public record KeyPair(byte[] publicKey, byte[] secretKey) {
    public KeyPair {
      publicKey = publicKey.clone();
      secretKey = secretKey.clone();
    }

    @Override
    public String toString() {
      return "BroadcastWrap.KeyPair[public=" + java.util.HexFormat.of().formatHex(publicKey) + "]";
    }
  }

  private static HPKE hpke() {
    return new HPKE(
        HPKE.mode_base, HPKE.kem_X25519_SHA256, HPKE.kdf_HKDF_SHA256, HPKE.aead_AES_GCM128);
  }

  public static KeyPair generateKeyPair() {
    HPKE hpke = hpke();
    AsymmetricCipherKeyPair pair = hpke.generatePrivateKey();
    return new KeyPair(
        hpke.serializePublicKey(pair.getPublic()), hpke.serializePrivateKey(pair.getPrivate()));
  }

  public static byte[] wrap(
      byte[] recipientPublicKey, String idHex, String deviceId, byte[] contentKey) {
    if (recipientPublicKey.length != KEY_LENGTH) {
      throw new BroadcastException(
          BroadcastException.Reason.MALFORMED, "a broadcast key is an X25519 public key");
    }
    HPKE hpke = hpke();
    try {
      byte[][] sealed =
          hpke.seal(
              hpke.deserializePublicKey(recipientPublicKey),
              info(idHex, deviceId),
              new byte[0],
              contentKey,
              null,
              null,
              null);
      byte[] ciphertext = sealed[0];
      byte[] enc = sealed[1];
      byte[] out = Arrays.copyOf(enc, enc.length + ciphertext.length);
      System.arraycopy(ciphertext, 0, out, enc.length, ciphertext.length);
      return out;
    } catch (InvalidCipherTextException | IllegalArgumentException e) {
      throw new BroadcastException(
          BroadcastException.Reason.MALFORMED, "cannot wrap to this key: " + e.getMessage());
    }
  }

  public static byte[] unwrap(byte[] secretKey, String idHex, String deviceId, byte[] wrap) {
    if (wrap.length != WRAP_LENGTH) {
      throw new BroadcastException(BroadcastException.Reason.CANNOT_OPEN, "a wrap is 80 bytes");
    }
    HPKE hpke = hpke();
    try {
      AsymmetricCipherKeyPair recipient =
          hpke.deserializePrivateKey(secretKey, publicKeyOf(secretKey));
      return hpke.open(
          Arrays.copyOf(wrap, KEY_LENGTH),
          recipient,
          info(idHex, deviceId),
          new byte[0],
          Arrays.copyOfRange(wrap, KEY_LENGTH, WRAP_LENGTH),
          null,
          null,
          null);
    } catch (InvalidCipherTextException | IllegalArgumentException | IllegalStateException e) {
      throw new BroadcastException(
          BroadcastException.Reason.CANNOT_OPEN, "the wrap does not open with this device's key");
    }
  }

  public static byte[] publicKeyOf(byte[] secretKey) {
    return new org.bouncycastle.crypto.params.X25519PrivateKeyParameters(secretKey, 0)
        .generatePublicKey()
        .getEncoded();
  }

  static byte[] info(String idHex, String deviceId) {
    return (Labels.BROADCAST_WRAP + "|" + idHex + "|" + deviceId).getBytes(StandardCharsets.UTF_8);
  }
}
