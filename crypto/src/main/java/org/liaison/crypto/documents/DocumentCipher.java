package org.liaison.crypto.documents;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals and opens document records: AES-256-GCM, {@code nonce[12] || ciphertext || tag[16]}, a
 * random nonce, the record's {@link DocumentAad} as associated data, the {@link DocumentPadding}
 * framing inside. Record keys are derived here from the generation key, so no caller can seal a
 * record under another record's key.
 */
public final class DocumentCipher {
  public static final int NONCE_LENGTH = 12;
  public static final int TAG_LENGTH = 16;
  private static final SecureRandom RANDOM = new SecureRandom();

  private DocumentCipher() {}

  /**
   * @param rootKey the keyring key ({@link DocumentKeys#keyringKey}) for a {@link
   *     DocumentAad.Keyring}, the generation key {@code DK_g} for every other record
   */
  public static byte[] seal(byte[] rootKey, DocumentAad aad, byte[] plaintext) {
    byte[] nonce = new byte[NONCE_LENGTH];
    RANDOM.nextBytes(nonce);
    return seal(rootKey, aad, plaintext, nonce);
  }

  /** The seam for deterministic test vectors: never reuse a nonce outside tests. */
  static byte[] seal(byte[] rootKey, DocumentAad aad, byte[] plaintext, byte[] nonce) {
    try {
      byte[] body =
          gcm(Cipher.ENCRYPT_MODE, rootKey, aad, nonce).doFinal(DocumentPadding.pad(plaintext));
      byte[] sealed = Arrays.copyOf(nonce, NONCE_LENGTH + body.length);
      System.arraycopy(body, 0, sealed, NONCE_LENGTH, body.length);
      return sealed;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is available on every JVM", e);
    }
  }

  public static byte[] open(byte[] rootKey, DocumentAad aad, byte[] sealed) {
    if (sealed.length < NONCE_LENGTH + TAG_LENGTH) {
      throw new DocumentCryptoException(
          DocumentCryptoException.Reason.MALFORMED, "sealed record is too short");
    }
    byte[] nonce = Arrays.copyOf(sealed, NONCE_LENGTH);
    byte[] padded;
    try {
      padded =
          gcm(Cipher.DECRYPT_MODE, rootKey, aad, nonce)
              .doFinal(sealed, NONCE_LENGTH, sealed.length - NONCE_LENGTH);
    } catch (AEADBadTagException e) {
      throw new DocumentCryptoException(
          DocumentCryptoException.Reason.NOT_AUTHENTIC,
          "record does not authenticate (wrong key or context, tampered or truncated)");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is available on every JVM", e);
    }
    return DocumentPadding.unpad(padded);
  }

  /** The AES key of a record: the keyring key as it is, a derived key for document records. */
  static byte[] recordKey(byte[] rootKey, DocumentAad aad) {
    if (rootKey.length != DocumentKeys.KEY_LENGTH) {
      throw new IllegalArgumentException("document keys are 32 bytes");
    }
    return aad instanceof DocumentAad.OfDocument record
        ? DocumentKeys.derive(rootKey, record.label(), record.documentId())
        : rootKey;
  }

  private static Cipher gcm(int mode, byte[] rootKey, DocumentAad aad, byte[] nonce)
      throws GeneralSecurityException {
    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
    gcm.init(
        mode,
        new SecretKeySpec(recordKey(rootKey, aad), "AES"),
        new GCMParameterSpec(TAG_LENGTH * 8, nonce));
    gcm.updateAAD(aad.bytes());
    return gcm;
  }
}
