package org.liaison.crypto.broadcasts;

/** Why a broadcast record was refused; the reason is stable for error codes, tests and the UI. */
public final class BroadcastException extends RuntimeException {
  public enum Reason {
    MALFORMED,
    BAD_SIGNATURE,
    NOT_FROM_AUTHOR,
    AUTHOR_NOT_COORDINATOR,
    SCOPE,
    CONTENT_HASH,
    CANNOT_OPEN,
    REVOKED,
    OUTSIDE_AUDIENCE
  }

  private final Reason reason;

  public BroadcastException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
