package org.liaison.server.auth;

import io.vertx.ext.web.RoutingContext;
import org.liaison.server.accounts.User;

/** The signed-in user behind a request, as loaded fresh from the store for this request. */
public record Actor(User user, String sessionId) {
  private static final String KEY = "liaison.actor";

  public static Actor of(RoutingContext ctx) {
    Actor actor = ctx.get(KEY);
    if (actor == null) {
      throw new IllegalStateException("route is not behind the authenticator");
    }
    return actor;
  }

  void attach(RoutingContext ctx) {
    ctx.put(KEY, this);
  }
}
