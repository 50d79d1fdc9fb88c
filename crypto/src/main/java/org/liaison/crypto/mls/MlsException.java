package org.liaison.crypto.mls;

/**
 * An MLS operation was refused: bytes that do not parse, a message for another epoch or group, a
 * forged or replayed message, a welcome for someone else. The reason is stable for callers.
 */
public final class MlsException extends RuntimeException {
  public enum Reason {
    MALFORMED,
    WRONG_GROUP,
    WRONG_EPOCH,
    NOT_A_COMMIT,
    NOT_AN_APPLICATION_MESSAGE,
    REJECTED,
    NOT_FOR_US,
    UNTRUSTED_MEMBER,
    NO_SUCH_MEMBER,
    LAST_MEMBER,
    /**
     * A GroupInfo (or the tree a Welcome carries) does not verify: its signature, its signer, its
     * ratchet tree's hash or parent hashes, or a leaf's signature.
     */
    INVALID_GROUP_INFO
  }

  private final Reason reason;

  public MlsException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public MlsException(Reason reason, String message) {
    this(reason, message, null);
  }

  public Reason reason() {
    return reason;
  }
}
