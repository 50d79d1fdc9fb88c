package org.liaison.crypto.broadcasts;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.liaison.crypto.Digests;
import org.liaison.crypto.Labels;
import org.liaison.crypto.documents.DocumentCryptoException;
import org.liaison.crypto.documents.DocumentPadding;

/**
 * The sealed text of a broadcast: AES-256-GCM under a fresh content key, {@code nonce[12] ||
 * ciphertext || tag}, the id and author device as associated data (so content cannot move to
 * another broadcast), padded to 256-byte blocks as documents are.
 */
public final class BroadcastContent {
  public static final int KEY_LENGTH = 32;
  private static final int NONCE_LENGTH = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private BroadcastContent() {}

  public static byte[] newContentKey() {
    byte[] key = new byte[KEY_LENGTH];
    RANDOM.nextBytes(key);
    return key;
  }

  public static byte[] seal(byte[] contentKey, String idHex, String authorDeviceId, byte[] json) {
    byte[] nonce = new byte[NONCE_LENGTH];
    RANDOM.nextBytes(nonce);
    return seal(contentKey, idHex, authorDeviceId, json, nonce);
  }

  /** The seam for deterministic test vectors: never reuse a nonce outside tests. */
  static byte[] seal(
      byte[] contentKey, String idHex, String authorDeviceId, byte[] json, byte[] nonce) {
    try {
      byte[] body =
          gcm(Cipher.ENCRYPT_MODE, contentKey, idHex, authorDeviceId, nonce)
              .doFinal(DocumentPadding.pad(json));
      byte[] sealed = Arrays.copyOf(nonce, NONCE_LENGTH + body.length);
      System.arraycopy(body, 0, sealed, NONCE_LENGTH, body.length);
      return sealed;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  public static byte[] open(byte[] contentKey, String idHex, String authorDeviceId, byte[] sealed) {
    if (sealed.length < NONCE_LENGTH + TAG_BITS / 8) {
      throw new BroadcastException(BroadcastException.Reason.CANNOT_OPEN, "content too short");
    }
    try {
      byte[] padded =
          gcm(
                  Cipher.DECRYPT_MODE,
                  contentKey,
                  idHex,
                  authorDeviceId,
                  Arrays.copyOf(sealed, NONCE_LENGTH))
              .doFinal(sealed, NONCE_LENGTH, sealed.length - NONCE_LENGTH);
      return DocumentPadding.unpad(padded);
    } catch (GeneralSecurityException | DocumentCryptoException e) {
      throw new BroadcastException(
          BroadcastException.Reason.CANNOT_OPEN, "the content does not open with this key");
    }
  }

  public static byte[] hash(byte[] sealed) {
    return Digests.sha256().digest(sealed);
  }

  static byte[] aad(String idHex, String authorDeviceId) {
    return (Labels.BROADCAST_CONTENT + "|" + idHex + "|" + authorDeviceId)
        .getBytes(StandardCharsets.UTF_8);
  }

  private static Cipher gcm(int mode, byte[] key, String idHex, String authorDeviceId, byte[] nonce)
      throws GeneralSecurityException {
    if (key.length != KEY_LENGTH) {
      throw new BroadcastException(
          BroadcastException.Reason.CANNOT_OPEN, "a content key is 32 bytes");
    }
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
    cipher.updateAAD(aad(idHex, authorDeviceId));
    return cipher;
  }
}
