package org.liaison.server.auth;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.Optional;
import org.liaison.server.accounts.Accounts;
import org.liaison.server.accounts.DisplayNames;
import org.liaison.server.accounts.Languages;
import org.liaison.server.accounts.User;
import org.liaison.server.accounts.UserRepository;
import org.liaison.server.accounts.UserStatus;
import org.liaison.server.api.ApiError;
import org.liaison.server.api.Fields;
import org.liaison.server.api.Ids;
import org.liaison.server.audit.AuditLog;
import org.liaison.server.http.Bodies;
import org.liaison.server.http.ClientAddress;
import org.liaison.server.http.Handlers;
import org.liaison.server.invitations.Invitations;
import org.liaison.server.store.Mongo;

/** Registration from an invitation, login, token refresh and logout. */
public final class AuthRoutes {
  private final UserRepository users;
  private final SessionRepository sessions;
  private final Tokens tokens;
  private final PasswordHasher passwords;
  private final LoginThrottle throttle;
  private final Invitations invitations;
  private final AuditLog audit;
  private final java.time.Clock clock;
  private final ClientAddress clientAddress;

  public AuthRoutes(
      UserRepository users,
      SessionRepository sessions,
      Tokens tokens,
      PasswordHasher passwords,
      LoginThrottle throttle,
      Invitations invitations,
      AuditLog audit,
      java.time.Clock clock,
      ClientAddress clientAddress) {
    this.users = users;
    this.sessions = sessions;
    this.tokens = tokens;
    this.passwords = passwords;
    this.throttle = throttle;
    this.invitations = invitations;
    this.audit = audit;
    this.clock = clock;
    this.clientAddress = clientAddress;
  }

  public void mount(Router api, Handler<RoutingContext> authenticated) {
    api.post("/auth/register").handler(Handlers.json(201, this::register));
    api.post("/auth/login").handler(Handlers.json(200, this::login));
    api.post("/auth/refresh").handler(Handlers.json(200, this::refresh));
    api.post("/auth/logout").handler(authenticated).handler(Handlers.noContent(this::logout));
  }

  /**
   * Registers from an invitation. Every code that cannot be redeemed gets the same answer after the
   * same work (the password is hashed first, whatever the code), and such failures draw on the
   * address's throttling budget, so codes cannot be probed and Argon2id cannot be run at will.
   */
  private Future<JsonObject> register(RoutingContext ctx) {
    JsonObject body = Bodies.json(ctx);
    String code = Fields.requiredText(body, "inviteCode", 128);
    String email = Fields.email(body, "email");
    String displayName = DisplayNames.required(body, "displayName");
    String password = password(body);
    if (password.length() < PasswordHasher.MIN_LENGTH) {
      throw ApiError.invalidField(
          "password", "password must be at least " + PasswordHasher.MIN_LENGTH + " characters");
    }
    String language = Languages.optional(body, "preferredLanguage").orElse(Languages.DEFAULT);
    LoginThrottle.Attempt attempt = throttle.reserveRegistration(clientAddress.of(ctx));
    String userId = Ids.newId();
    return passwords
        .hash(password)
        .compose(
            hash ->
                invitations
                    .redeem(code, email, userId)
                    .compose(
                        grant -> {
                          User user =
                              new User(
                                  userId,
                                  email,
                                  displayName,
                                  language,
                                  grant.cityId(),
                                  grant.organisationId(),
                                  grant.sector(),
                                  grant.tier(),
                                  grant.role(),
                                  UserStatus.ACTIVE,
                                  hash,
                                  clock.instant());
                          // An existing account is found by the unique index on e-mail.
                          return users
                              .insert(user)
                              .recover(e -> giveBack(grant, e))
                              .compose(u -> recordRegistration(u, grant));
                        }))
        // Only a code that cannot be redeemed counts as a guess.
        .onComplete(
            done -> {
              if (done.succeeded() || !Invitations.isUnredeemable(done.cause())) {
                throttle.refund(attempt);
              }
            })
        .map(user -> user.toJson(true));
  }

  private Future<User> giveBack(Invitations.Grant grant, Throwable error) {
    Future<User> refusal =
        Future.failedFuture(Mongo.isDuplicateKey(error) ? ApiError.emailTaken() : error);
    return invitations.release(grant).transform(ignored -> refusal);
  }

  private Future<User> recordRegistration(User user, Invitations.Grant grant) {
    Future<Void> cleanup =
        grant.bootstrap() ? invitations.forgetBootstrapFile() : Future.succeededFuture();
    return cleanup
        .compose(
            v ->
                audit.append(
                    user.id(),
                    "user.registered",
                    user.id(),
                    user.cityId(),
                    Map.of(
                        "invitationId", grant.invitationId(),
                        "invitedBy", grant.invitedBy(),
                        "tier", user.tier().name(),
                        "role", user.role().wire())))
        .map(e -> user);
  }

  /**
   * Signs in. The attempt is taken from the throttling budgets before the password is checked, so
   * concurrent guesses cannot overrun them, and given back unless the password was wrong.
   */
  private Future<JsonObject> login(RoutingContext ctx) {
    JsonObject body = Bodies.json(ctx);
    String email = Fields.requiredText(body, "email", 254).toLowerCase(java.util.Locale.ROOT);
    String password = password(body);
    LoginThrottle.Attempt attempt = throttle.reserveLogin(email, clientAddress.of(ctx));
    return users
        .byEmail(email)
        .compose(
            found ->
                found.isEmpty()
                    ? deletedAccount(email, password)
                    : passwords
                        .verify(password, found.get().password())
                        .map(ok -> ok ? found : Optional.<User>empty()))
        // The store or the hasher failed (or was busy): that was no guess.
        .onFailure(e -> throttle.refund(attempt))
        .compose(
            user -> {
              if (user.isEmpty()) {
                throw ApiError.unauthorized("invalid-credentials", "Wrong e-mail or password");
              }
              throttle.succeeded(attempt);
              Authenticator.requireActive(user.get());
              return sessions.open(user.get().id());
            })
        .map(this::tokenResponse);
  }

  /**
   * No account has this e-mail address: perhaps one had it and was deleted. If the password opens
   * that one, the answer says so ({@code 403 account-deleted}, via {@link
   * Authenticator#requireActive}); otherwise the decoy takes the time a check takes.
   */
  private Future<Optional<User>> deletedAccount(String email, String password) {
    return users
        .deletedByEmailHash(Accounts.emailHash(email))
        .compose(
            deleted ->
                deleted.isEmpty()
                    ? passwords.verifyDecoy(password).map(ok -> Optional.<User>empty())
                    : passwords
                        .verify(password, deleted.get().password())
                        .map(ok -> ok ? deleted : Optional.<User>empty()));
  }

  private Future<JsonObject> refresh(RoutingContext ctx) {
    String presented = Fields.requiredText(Bodies.json(ctx), "refreshToken", 256);
    return sessions
        .rotate(presented)
        .compose(
            issued ->
                users
                    .byId(issued.userId())
                    .map(
                        user -> {
                          Authenticator.requireActive(
                              user.orElseThrow(
                                  () ->
                                      ApiError.unauthorized(
                                          "session-ended", "This session has ended")));
                          return tokenResponse(issued);
                        }));
  }

  private Future<Void> logout(RoutingContext ctx) {
    String sessionId = Actor.of(ctx).sessionId();
    return sessions
        .revoke(sessionId)
        .onSuccess(
            v ->
                ctx.vertx()
                    .eventBus()
                    .publish(
                        org.liaison.server.events.Events.session(sessionId),
                        new JsonObject().put("type", "session-ended")));
  }

  private JsonObject tokenResponse(SessionRepository.Issued issued) {
    return new JsonObject()
        .put("accessToken", tokens.issueAccess(issued.userId(), issued.sessionId()))
        .put("refreshToken", issued.refreshToken())
        .put("expiresIn", tokens.accessSeconds())
        .put("tokenType", "Bearer");
  }

  private static String password(JsonObject body) {
    Object value = body.getValue("password");
    if (!(value instanceof String password) || password.isEmpty()) {
      throw ApiError.invalidField("password", "password is required");
    }
    if (password.length() > PasswordHasher.MAX_LENGTH) {
      throw ApiError.invalidField(
          "password", "password must be at most " + PasswordHasher.MAX_LENGTH + " characters");
    }
    return password;
  }
}
