package org.liaison.server.auth;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import org.liaison.server.accounts.User;
import org.liaison.server.accounts.UserRepository;
import org.liaison.server.accounts.UserStatus;
import org.liaison.server.api.ApiError;

/**
 * Guards API routes. Besides the token's signature it checks, on every request, that the session is
 * still open and the user still active: logout and suspension take effect at once, and role or tier
 * changes apply to the next request.
 */
public final class Authenticator {
  private final Tokens tokens;
  private final UserRepository users;
  private final SessionRepository sessions;

  public Authenticator(Tokens tokens, UserRepository users, SessionRepository sessions) {
    this.tokens = tokens;
    this.users = users;
    this.sessions = sessions;
  }

  public void handle(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      ctx.fail(ApiError.unauthorized("missing-token", "Sign in first"));
      return;
    }
    authenticate(header.substring(7).trim())
        .onSuccess(
            actor -> {
              actor.attach(ctx);
              ctx.next();
            })
        .onFailure(ctx::fail);
  }

  public Future<Actor> authenticate(String accessToken) {
    return tokens
        .verifyAccess(accessToken)
        .compose(
            claims ->
                Future.all(users.byId(claims.userId()), sessions.state(claims.sessionId()))
                    .map(
                        both -> {
                          User user =
                              both.<java.util.Optional<User>>resultAt(0)
                                  .orElseThrow(ApiError::invalidToken);
                          // Suspension also ends sessions; say the more useful of the two.
                          requireActive(user);
                          SessionRepository.State session = both.resultAt(1);
                          if (!session.usable()) {
                            throw ApiError.sessionEnded();
                          }
                          return new Actor(user, claims.sessionId(), session.deviceId());
                        }));
  }

  public static void requireActive(User user) {
    if (user.status() == UserStatus.DELETED) {
      throw accountDeleted();
    }
    if (!user.active()) {
      throw new ApiError(403, "account-suspended", "This account is suspended");
    }
  }

  /** A deleted account's tokens and password open nothing. */
  public static ApiError accountDeleted() {
    return new ApiError(403, "account-deleted", "This account was deleted");
  }
}
