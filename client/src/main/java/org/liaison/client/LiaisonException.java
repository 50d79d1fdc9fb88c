package org.liaison.client;

import io.vertx.core.json.JsonObject;

/** An error answered by the server, with its stable code (see docs/api/openapi.yaml). */
public final class LiaisonException extends RuntimeException {
  private final int status;
  private final String code;
  private final JsonObject details;

  public LiaisonException(int status, String code, String message) {
    this(status, code, message, new JsonObject());
  }

  public LiaisonException(int status, String code, String message, JsonObject details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details == null ? new JsonObject() : details;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  /** Whether {@code e} is the server's answer with this {@code code}. */
  public static boolean hasCode(Throwable e, String code) {
    return e instanceof LiaisonException le && code.equals(le.code());
  }

  /** What the client answers itself when a call needs a session it does not have. */
  static LiaisonException signInFirst() {
    return new LiaisonException(401, "missing-token", "Sign in first");
  }

  /** The error's {@code details} (e.g. {@code currentEpoch}, {@code rule}); empty when none. */
  public JsonObject details() {
    return details.copy();
  }

  @Override
  public String toString() {
    return "LiaisonException["
        + status
        + " "
        + code
        + ": "
        + getMessage()
        + (details.isEmpty() ? "" : " " + details.encode())
        + "]";
  }
}
