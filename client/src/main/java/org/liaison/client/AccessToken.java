package org.liaison.client;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Reads claims from an access token (a JWT) without verifying it: the client only needs its own
 * session id ({@code sid}, which a device-session signature binds) and user id ({@code sub}); the
 * server verifies tokens.
 */
public final class AccessToken {
  private AccessToken() {}

  public static JsonObject claims(String token) {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException("not a JWT");
    }
    try {
      return new JsonObject(
          new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("unreadable JWT payload", e);
    }
  }

  public static String sessionId(String token) {
    return required(claims(token), "sid");
  }

  public static String userId(String token) {
    return required(claims(token), "sub");
  }

  private static String required(JsonObject claims, String name) {
    String value = claims.getString(name);
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("access token has no " + name + " claim");
    }
    return value;
  }
}
