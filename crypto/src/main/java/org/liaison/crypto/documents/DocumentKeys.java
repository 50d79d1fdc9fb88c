package org.liaison.crypto.documents;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.liaison.crypto.Labels;
import org.liaison.crypto.mls.ChannelSession;

/**
 * The keys of shared documents. A generation key {@code DK_g} is 32 random bytes; each document and
 * each kind of record gets its own key, {@code HKDF-SHA256(DK_g, salt = "", info = label "|"
 * docId)}, so a key learnt for one document or purpose opens nothing else. The keyring that carries
 * the generation keys is sealed under the MLS exporter of the epoch it is written for.
 */
public final class DocumentKeys {
  public static final int KEY_LENGTH = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  private DocumentKeys() {}

  public static byte[] newGenerationKey() {
    byte[] key = new byte[KEY_LENGTH];
    RANDOM.nextBytes(key);
    return key;
  }

  /**
   * The key of one kind of record ({@code label}, e.g. {@link Labels#DOC_UPDATE}) of a document.
   */
  public static byte[] derive(byte[] generationKey, String label, String documentId) {
    if (generationKey.length != KEY_LENGTH) {
      throw new IllegalArgumentException("generation keys are 32 bytes");
    }
    byte[] info = (label + "|" + documentId).getBytes(StandardCharsets.UTF_8);
    HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
    hkdf.init(new HKDFParameters(generationKey, new byte[0], info));
    byte[] key = new byte[KEY_LENGTH];
    hkdf.generateBytes(key, 0, KEY_LENGTH);
    return key;
  }

  /** The key the keyring of the session's current epoch is sealed under. */
  public static byte[] keyringKey(ChannelSession session) {
    return session.exportSecret(Labels.DOC_KEYRING, new byte[0], KEY_LENGTH);
  }
}
