package org.liaison.crypto.documents;

import java.security.MessageDigest;
import org.liaison.crypto.Digests;
import org.liaison.crypto.Ed25519;
import org.liaison.crypto.Labels;
import org.liaison.crypto.mls.DeviceIdentity;

/**
 * The author's signature on updates, snapshots and versions: Ed25519 by the device's MLS leaf key
 * over {@code SHA-256(aad || sealed)} under the label {@link Labels#DOC_SIGNATURE} (with {@link
 * Ed25519}'s length-prefixed label). The AEAD alone would let any member pose as another, since
 * every member holds the document keys.
 */
public final class DocumentSignature {
  private DocumentSignature() {}

  /** {@code SHA-256(aad || nonce || ciphertext-with-tag)}: what the signature covers. */
  public static byte[] digest(DocumentAad aad, byte[] sealed) {
    MessageDigest sha256 = Digests.sha256();
    sha256.update(aad.bytes());
    sha256.update(sealed);
    return sha256.digest();
  }

  public static byte[] sign(DeviceIdentity author, DocumentAad aad, byte[] sealed) {
    return author.sign(Labels.DOC_SIGNATURE, digest(aad, sealed));
  }

  public static byte[] sign(Ed25519.KeyPair author, DocumentAad aad, byte[] sealed) {
    return author.sign(Labels.DOC_SIGNATURE, digest(aad, sealed));
  }

  public static boolean verify(
      byte[] authorPublicKey, DocumentAad aad, byte[] sealed, byte[] signature) {
    return Ed25519.verify(authorPublicKey, Labels.DOC_SIGNATURE, digest(aad, sealed), signature);
  }

  /** {@link #verify}, refusing with {@link DocumentCryptoException.Reason#BAD_SIGNATURE}. */
  public static void require(
      byte[] authorPublicKey, DocumentAad aad, byte[] sealed, byte[] signature) {
    if (!verify(authorPublicKey, aad, sealed, signature)) {
      throw new DocumentCryptoException(
          DocumentCryptoException.Reason.BAD_SIGNATURE, "the author's signature does not verify");
    }
  }
}
