package org.liaison.client.channels;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.liaison.crypto.Labels;
import org.liaison.crypto.mls.ChannelSession;

/**
 * A channel's name and description, which only members can read. Encrypted with AES-256-GCM under
 * {@code MLS-Exporter("liaison/v1/channel-meta", "", 32)} of the epoch the server stores it with:
 * {@code ciphertext = nonce[12] || AES-GCM(json {name, description}) || tag[16]}, no associated
 * data (the key is already bound to the channel and epoch).
 */
public record ChannelMeta(String name, String description) {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int NONCE = 12;
  private static final int TAG_BITS = 128;

  public ChannelMeta {
    name = name == null ? "" : name;
    description = description == null ? "" : description;
  }

  /** The meta key of the session's current epoch. */
  public static byte[] key(ChannelSession session) {
    return session.exportSecret(Labels.CHANNEL_META, new byte[0], 32);
  }

  public byte[] encrypt(byte[] key) {
    byte[] nonce = new byte[NONCE];
    RANDOM.nextBytes(nonce);
    byte[] json =
        new JsonObject()
            .put("name", name)
            .put("description", description)
            .encode()
            .getBytes(StandardCharsets.UTF_8);
    byte[] sealed = gcm(Cipher.ENCRYPT_MODE, key, nonce, json, 0, json.length);
    byte[] out = Arrays.copyOf(nonce, NONCE + sealed.length);
    System.arraycopy(sealed, 0, out, NONCE, sealed.length);
    return out;
  }

  /** Throws {@link IllegalArgumentException} if the ciphertext is not for this key or damaged. */
  public static ChannelMeta decrypt(byte[] key, byte[] ciphertext) {
    if (ciphertext.length < NONCE + TAG_BITS / 8) {
      throw new IllegalArgumentException("meta ciphertext too short");
    }
    byte[] nonce = Arrays.copyOf(ciphertext, NONCE);
    byte[] json =
        gcm(Cipher.DECRYPT_MODE, key, nonce, ciphertext, NONCE, ciphertext.length - NONCE);
    try {
      JsonObject parsed = new JsonObject(new String(json, StandardCharsets.UTF_8));
      return new ChannelMeta(parsed.getString("name"), parsed.getString("description"));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("unreadable meta", e);
    }
  }

  private static byte[] gcm(int mode, byte[] key, byte[] nonce, byte[] in, int off, int len) {
    if (key.length != 32) {
      throw new IllegalArgumentException("meta keys are 32 bytes");
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
      return cipher.doFinal(in, off, len);
    } catch (javax.crypto.AEADBadTagException e) {
      throw new IllegalArgumentException("meta does not decrypt under this epoch's key", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }
}
