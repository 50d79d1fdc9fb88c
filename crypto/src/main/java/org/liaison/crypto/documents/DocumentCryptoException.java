package org.liaison.crypto.documents;

/**
 * A document record was refused: it does not authenticate under the key and context it claims, its
 * padding or JSON is malformed, or its signature does not verify. The reason is stable for callers.
 */
public final class DocumentCryptoException extends RuntimeException {
  public enum Reason {
    /** The AEAD tag does not verify: wrong key, wrong context (AAD), tampered or truncated. */
    NOT_AUTHENTIC,
    /** Authentic but the padded framing is wrong (never produced by a Liaison client). */
    BAD_PADDING,
    /** The bytes are not a record at all (too short) or its JSON is not the expected shape. */
    MALFORMED,
    /** The author's signature does not verify against the key it was checked with. */
    BAD_SIGNATURE
  }

  private final Reason reason;

  public DocumentCryptoException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
