package org.liaison.server.api;

import io.vertx.core.json.JsonObject;

/**
 * A refusal the client should see: HTTP status, a stable machine code and a human message. Thrown
 * or failed anywhere in a request; the HTTP edge (http.ErrorResponses) turns it into the one error
 * envelope.
 */
public final class ApiError extends RuntimeException {
  private final int status;
  private final String code;
  private final JsonObject details;

  public ApiError(int status, String code, String message, JsonObject details) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.details = details;
  }

  public ApiError(int status, String code, String message) {
    this(status, code, message, null);
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public JsonObject details() {
    return details;
  }

  public static ApiError invalidField(String field, String message) {
    return new ApiError(400, "validation-failed", message, new JsonObject().put("field", field));
  }

  public static ApiError unauthorized(String code, String message) {
    return new ApiError(401, code, message);
  }

  public static ApiError forbidden(String message) {
    return new ApiError(403, "forbidden", message);
  }

  public static ApiError notFound(String code, String message) {
    return new ApiError(404, code, message);
  }

  public static ApiError tooManyRequests(long retryAfterSeconds) {
    return new ApiError(
        429,
        "too-many-requests",
        "Too many attempts; try again in " + retryAfterSeconds + " seconds",
        new JsonObject().put("retryAfterSeconds", retryAfterSeconds));
  }

  public static ApiError conflict(String code, String message) {
    return new ApiError(409, code, message);
  }

  // Refusals built in several places with the same code and text: one home each.

  /** A channel that does not exist, or that the caller's device is not a member of. */
  public static ApiError channelNotFound() {
    return notFound("channel-not-found", "No such channel");
  }

  /** Something failed that the client cannot fix; the cause is logged, never sent. */
  public static ApiError internal() {
    return new ApiError(500, "internal-error", "Something went wrong on the server");
  }

  /** MLS bytes that are not the message expected where they were sent. */
  public static ApiError malformedMls(String message) {
    return new ApiError(400, "malformed-mls", message);
  }

  /** The channel moved on: the caller processes the newer entries and tries again. */
  public static ApiError wrongEpoch(long current) {
    return new ApiError(
        409,
        "wrong-epoch",
        "The channel is at epoch " + current + "; process the newer entries and try again",
        new JsonObject().put("currentEpoch", current));
  }

  /** 404: no such device, or one the caller may not see (as if absent). */
  public static ApiError deviceNotFound() {
    return notFound("device-not-found", "No such device");
  }

  /** 410: the device exists but was revoked. */
  public static ApiError deviceRevoked() {
    return new ApiError(410, "device-revoked", "This device was revoked");
  }

  /** 401: the access token is forged, malformed, or names no user. */
  public static ApiError invalidToken() {
    return unauthorized("invalid-token", "The access token is not valid");
  }

  /** 401: the session was logged out, revoked or expired. */
  public static ApiError sessionEnded() {
    return unauthorized("session-ended", "This session has ended; sign in again");
  }

  /** 409: an account with this e-mail address already exists. */
  public static ApiError emailTaken() {
    return conflict("email-taken", "An account with this e-mail already exists");
  }
}
