package org.liaison.client;

/** An error answered by the server, with its stable code (see docs/api/openapi.yaml). */
public final class LiaisonException extends RuntimeException {
  private final int status;
  private final String code;

  public LiaisonException(int status, String code, String message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  @Override
  public String toString() {
    return "LiaisonException[" + status + " " + code + ": " + getMessage() + "]";
  }
}
