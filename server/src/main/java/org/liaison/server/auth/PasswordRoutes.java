package org.liaison.server.auth;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import org.liaison.server.accounts.Accounts;
import org.liaison.server.accounts.User;
import org.liaison.server.accounts.UserRepository;
import org.liaison.server.api.ApiError;
import org.liaison.server.api.Fields;
import org.liaison.server.audit.AuditLog;
import org.liaison.server.events.Events;
import org.liaison.server.http.Bodies;
import org.liaison.server.http.ClientAddress;
import org.liaison.server.http.Handlers;

/**
 * What needs the password: changing it (with the current one), an administrator's one-time reset
 * link and its use, and deleting one's own account (with the password again). A password given to
 * prove who one is is checked under the same throttling as a login ({@link LoginThrottle}); a reset
 * code draws on the address's budget, like an invitation code. Neither passwords nor codes reach
 * the audit log or the request log.
 */
public final class PasswordRoutes {
  private final UserRepository users;
  private final Accounts accounts;
  private final SessionRepository sessions;
  private final PasswordHasher passwords;
  private final LoginThrottle throttle;
  private final PasswordResets resets;
  private final AuditLog audit;
  private final ClientAddress clientAddress;

  public PasswordRoutes(
      UserRepository users,
      Accounts accounts,
      SessionRepository sessions,
      PasswordHasher passwords,
      LoginThrottle throttle,
      PasswordResets resets,
      AuditLog audit,
      ClientAddress clientAddress) {
    this.users = users;
    this.accounts = accounts;
    this.sessions = sessions;
    this.passwords = passwords;
    this.throttle = throttle;
    this.resets = resets;
    this.audit = audit;
    this.clientAddress = clientAddress;
  }

  public void mount(Router api, Handler<RoutingContext> authenticated) {
    api.post("/me/password")
        .handler(authenticated)
        .handler(Handlers.json(200, this::changePassword));
    api.delete("/me").handler(authenticated).handler(Handlers.noContent(this::deleteAccount));
    api.post("/users/:id/password-reset")
        .handler(authenticated)
        .handler(Handlers.json(201, this::createReset));
    api.post("/auth/password-reset").handler(Handlers.json(200, this::reset));
  }

  /**
   * Changes the signed-in user's password: the current one is checked (throttled as a login), the
   * new one follows the registration rules, its Argon2id verifier replaces the old one, and every
   * other session of the user ends (this one stays). Audited, without either password.
   */
  private Future<JsonObject> changePassword(RoutingContext ctx) {
    JsonObject body = Bodies.json(ctx);
    String current = password(body, "currentPassword");
    String next = newPassword(body, "newPassword");
    if (next.equals(current)) {
      throw ApiError.invalidField("newPassword", "newPassword must differ from the current one");
    }
    Actor actor = Actor.of(ctx);
    User me = actor.user();
    return confirmed(ctx, me, current)
        .compose(v -> passwords.hash(next))
        .compose(hash -> users.setPassword(me.id(), hash))
        .compose(
            updated -> {
              updated.orElseThrow(Authenticator::accountDeleted);
              return endSessions(ctx.vertx().eventBus(), me.id(), actor.sessionId());
            })
        .compose(
            ended ->
                audit
                    .append(
                        me.id(),
                        "user.password-changed",
                        me.id(),
                        me.cityId(),
                        Map.of("sessionsEnded", String.valueOf(ended.size())))
                    .map(e -> new JsonObject().put("sessionsEnded", ended.size())));
  }

  /** Deletes the signed-in user's own account once they have given their password again. */
  private Future<Void> deleteAccount(RoutingContext ctx) {
    JsonObject body = Bodies.json(ctx);
    String password = password(body, "password");
    User me = Actor.of(ctx).user();
    return confirmed(ctx, me, password).compose(v -> accounts.delete(me)).mapEmpty();
  }

  /**
   * A one-time link for a member to set a new password, made by whoever administers them (a network
   * admin; the coordinator of their city for people at or below their own tier and role). Replaces
   * any earlier link for the member. Audited (when it expires, not the link).
   */
  private Future<JsonObject> createReset(RoutingContext ctx) {
    User actor = Actor.of(ctx).user();
    String userId = Fields.id(ctx.pathParam("id"), "user");
    // As for tier and role changes: only whoever administers the member.
    return accounts
        .managedMember(actor, userId)
        .compose(
            target -> {
              return resets
                  .create(target.id(), actor.id())
                  .compose(
                      created ->
                          audit
                              .append(
                                  actor.id(),
                                  "user.password-reset-created",
                                  target.id(),
                                  target.cityId(),
                                  Map.of("expiresAt", created.expiresAt().toString()))
                              .map(
                                  e ->
                                      new JsonObject()
                                          .put("link", created.link())
                                          .put("expiresAt", created.expiresAt().toString())));
            });
  }

  /**
   * Sets a new password with a reset code. The new password is hashed first, whatever the code, and
   * a code that does not work draws on the address's budget, so codes cannot be probed. Every
   * session of the user ends; the member signs in again with the new password. Audited.
   */
  private Future<JsonObject> reset(RoutingContext ctx) {
    JsonObject body = Bodies.json(ctx);
    String code = Fields.requiredText(body, "code", 128);
    String next = newPassword(body, "newPassword");
    LoginThrottle.Attempt attempt = throttle.reserveRegistration(clientAddress.of(ctx));
    return passwords
        .hash(next)
        .compose(
            hash ->
                resets
                    .consume(code)
                    .compose(
                        userId ->
                            userId.isEmpty()
                                ? Future.failedFuture(resetInvalid())
                                : users.setPassword(userId.get(), hash)))
        .compose(
            updated -> {
              User user = updated.orElseThrow(PasswordRoutes::resetInvalid);
              return endSessions(ctx.vertx().eventBus(), user.id(), null)
                  .compose(
                      ended ->
                          audit.append(
                              user.id(),
                              "user.password-reset",
                              user.id(),
                              user.cityId(),
                              Map.of("sessionsEnded", String.valueOf(ended.size()))))
                  .map(e -> new JsonObject().put("email", user.email()));
            })
        .onComplete(
            done -> {
              if (done.succeeded() || !isResetInvalid(done.cause())) {
                throttle.refund(attempt);
              }
            });
  }

  /**
   * Checks a password given to prove it is the user: throttled as a login of their account, from
   * this address; {@code 403 wrong-password} when it is not theirs.
   */
  private Future<Void> confirmed(RoutingContext ctx, User me, String password) {
    LoginThrottle.Attempt attempt = throttle.reserveLogin(me.email(), clientAddress.of(ctx));
    return passwords
        .verify(password, me.password())
        .onFailure(e -> throttle.refund(attempt))
        .map(
            ok -> {
              if (!ok) {
                throw new ApiError(403, "wrong-password", "That is not your current password");
              }
              throttle.succeeded(attempt);
              return null;
            });
  }

  /** Ends the user's sessions but {@code keep}, and closes their sockets. */
  private Future<List<String>> endSessions(EventBus events, String userId, String keep) {
    return sessions
        .revokeOthers(userId, keep)
        .onSuccess(
            ended ->
                ended.forEach(
                    id ->
                        events.publish(
                            Events.session(id), new JsonObject().put("type", "session-ended"))));
  }

  private static ApiError resetInvalid() {
    return ApiError.notFound(
        "reset-code-invalid",
        "This reset link is not valid: it may be mistyped, used, expired or replaced by a newer"
            + " one. Ask for a new one");
  }

  private static boolean isResetInvalid(Throwable error) {
    return error instanceof ApiError e && e.code().equals("reset-code-invalid");
  }

  private static String password(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (!(value instanceof String password) || password.isEmpty()) {
      throw ApiError.invalidField(field, field + " is required");
    }
    if (password.length() > PasswordHasher.MAX_LENGTH) {
      throw ApiError.invalidField(
          field, field + " must be at most " + PasswordHasher.MAX_LENGTH + " characters");
    }
    return password;
  }

  /** The registration rules for a new password. */
  private static String newPassword(JsonObject body, String field) {
    String password = password(body, field);
    if (password.length() < PasswordHasher.MIN_LENGTH) {
      throw ApiError.invalidField(
          field, field + " must be at least " + PasswordHasher.MIN_LENGTH + " characters");
    }
    return password;
  }
}
