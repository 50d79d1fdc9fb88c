package org.liaison.server.api;

import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Supplier;
import org.liaison.crypto.Ed25519;

/** Binary fields travel as base64url without padding; every failure names its field. */
public final class Base64Field {
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private Base64Field() {}

  public static String encode(byte[] bytes) {
    return ENCODER.encodeToString(bytes);
  }

  public static byte[] required(JsonObject body, String field, int maxBytes) {
    return optional(body, field, maxBytes)
        .orElseThrow(() -> ApiError.invalidField(field, field + " is required"));
  }

  /** A required Ed25519 public key: exactly 32 bytes. */
  public static byte[] ed25519PublicKey(JsonObject body, String field) {
    byte[] key = required(body, field, Ed25519.PUBLIC_KEY_LENGTH);
    if (key.length != Ed25519.PUBLIC_KEY_LENGTH) {
      throw ApiError.invalidField(field, field + " must be a 32-byte Ed25519 public key");
    }
    return key;
  }

  public static Optional<byte[]> optional(JsonObject body, String field, int maxBytes) {
    return optional(
        body,
        field,
        maxBytes,
        () ->
            new ApiError(
                413,
                "payload-too-large",
                field + " must be at most " + maxBytes + " bytes",
                new JsonObject().put("field", field)));
  }

  /** A required field whose size limit has its own refusal (e.g. 413 update-too-large). */
  public static byte[] required(
      JsonObject body, String field, int maxBytes, Supplier<ApiError> tooLarge) {
    return optional(body, field, maxBytes, tooLarge)
        .orElseThrow(() -> ApiError.invalidField(field, field + " is required"));
  }

  private static Optional<byte[]> optional(
      JsonObject body, String field, int maxBytes, Supplier<ApiError> tooLarge) {
    Object value = body.getValue(field);
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof String text)) {
      throw ApiError.invalidField(field, field + " must be a base64url string");
    }
    // Refuse before decoding: a base64 string of n characters holds about 3n/4 bytes.
    if (text.length() > (maxBytes / 3 + 1) * 4) {
      throw tooLarge.get();
    }
    byte[] bytes;
    try {
      bytes = DECODER.decode(text);
    } catch (IllegalArgumentException e) {
      throw ApiError.invalidField(field, field + " is not base64url");
    }
    if (bytes.length == 0) {
      throw ApiError.invalidField(field, field + " is empty");
    }
    if (bytes.length > maxBytes) {
      throw tooLarge.get();
    }
    return Optional.of(bytes);
  }
}
