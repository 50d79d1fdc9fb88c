package org.liaison.crypto.attestation;

/** Why an attestation chain was refused; the reason is stable for error codes and tests. */
public final class AttestationException extends RuntimeException {
  public enum Reason {
    MALFORMED,
    BAD_SIGNATURE,
    NOT_FROM_ROOT,
    BROKEN_CHAIN,
    WRONG_KIND,
    NOT_YET_VALID,
    EXPIRED,
    KEY_MISMATCH,
    USER_MISMATCH,
    TIER_ABOVE_ISSUER,
    CITY_OUTSIDE_ISSUER
  }

  private final Reason reason;

  public AttestationException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
