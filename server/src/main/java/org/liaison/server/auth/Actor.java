package org.liaison.server.auth;

import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import org.liaison.server.accounts.User;
import org.liaison.server.api.ApiError;

/**
 * The signed-in user behind a request, as loaded fresh from the store for this request, and the
 * device its session is bound to (empty before the device is registered).
 */
public record Actor(User user, String sessionId, Optional<String> deviceId) {
  private static final String KEY = "liaison.actor";

  public static Actor of(RoutingContext ctx) {
    Actor actor = ctx.get(KEY);
    if (actor == null) {
      throw new IllegalStateException("route is not behind the authenticator");
    }
    return actor;
  }

  /** The bound device; device-level calls (keys, channels, realtime) need one. */
  public String requireDevice() {
    return deviceId.orElseThrow(
        () ->
            new ApiError(
                403, "device-required", "Register this device (or bind this session to it) first"));
  }

  void attach(RoutingContext ctx) {
    ctx.put(KEY, this);
  }
}
