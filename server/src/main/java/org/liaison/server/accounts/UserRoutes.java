package org.liaison.server.accounts;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.liaison.server.access.AccessRules;
import org.liaison.server.api.ApiError;
import org.liaison.server.api.Fields;
import org.liaison.server.audit.AuditLog;
import org.liaison.server.auth.Actor;
import org.liaison.server.auth.SessionRepository;
import org.liaison.server.events.Events;
import org.liaison.server.http.Bodies;
import org.liaison.server.http.Handlers;
import org.liaison.server.organisations.Sector;

/** The signed-in user, the member directory, and changes to tier, role and status. */
public final class UserRoutes {
  private static final int DEFAULT_LIMIT = 200;
  private static final int MAX_LIMIT = 1000;

  /** What {@code PATCH /me} lets users change about themselves. */
  private static final List<String> SELF_EDITABLE = List.of("preferredLanguage");

  private final UserRepository users;
  private final SessionRepository sessions;
  private final AuditLog audit;

  public UserRoutes(UserRepository users, SessionRepository sessions, AuditLog audit) {
    this.users = users;
    this.sessions = sessions;
    this.audit = audit;
  }

  public void mount(Router api, Handler<RoutingContext> authenticated) {
    api.get("/me").handler(authenticated).handler(Handlers.json(200, this::me));
    api.patch("/me").handler(authenticated).handler(Handlers.json(200, this::updateMe));
    api.get("/users").handler(authenticated).handler(Handlers.json(200, this::list));
    api.put("/users/:id/tier").handler(authenticated).handler(Handlers.json(200, this::setTier));
    api.put("/users/:id/role").handler(authenticated).handler(Handlers.json(200, this::setRole));
    api.post("/users/:id/suspend")
        .handler(authenticated)
        .handler(Handlers.json(200, this::suspend));
    api.post("/users/:id/reactivate")
        .handler(authenticated)
        .handler(Handlers.json(200, this::reactivate));
  }

  private Future<JsonObject> me(RoutingContext ctx) {
    return Future.succeededFuture(Actor.of(ctx).user().toJson(true));
  }

  /**
   * The signed-in user changes their own profile: only {@code preferredLanguage} so far (any other
   * field is refused, not ignored, so a client cannot believe it changed something). Audited.
   */
  private Future<JsonObject> updateMe(RoutingContext ctx) {
    JsonObject body = Bodies.json(ctx);
    for (String field : body.fieldNames()) {
      if (!SELF_EDITABLE.contains(field)) {
        throw ApiError.invalidField(
            field, field + " cannot be changed here; only " + String.join(", ", SELF_EDITABLE));
      }
    }
    String language =
        Languages.optional(body, "preferredLanguage")
            .orElseThrow(
                () -> ApiError.invalidField("preferredLanguage", "preferredLanguage is required"));
    User me = Actor.of(ctx).user();
    String before = me.preferredLanguage();
    if (language.equals(before)) {
      return Future.succeededFuture(me.toJson(true));
    }
    return setAudited(
            me,
            me.id(),
            new Change("preferredLanguage", before, language, "user.language-changed", null),
            "Your profile was changed meanwhile; reload and try again")
        .map(user -> user.toJson(true));
  }

  private Future<JsonObject> list(RoutingContext ctx) {
    User actor = Actor.of(ctx).user();
    Optional<String> cityId =
        Optional.ofNullable(ctx.queryParams().get("cityId")).map(id -> Fields.id(id, "city"));
    Optional<Sector> sector =
        query(ctx, "sector").map(raw -> parse(raw, "sector", Sector::parse, Sector.ALLOWED));
    Optional<Tier> tier =
        query(ctx, "tier").map(raw -> parse(raw, "tier", Tier::parse, Tier.ALLOWED));
    int limit =
        query(ctx, "limit")
            .map(raw -> parse(raw, "limit", Integer::parseInt, "1.." + MAX_LIMIT))
            .orElse(DEFAULT_LIMIT);
    if (limit < 1 || limit > MAX_LIMIT) {
      throw ApiError.invalidField("limit", "limit must be 1.." + MAX_LIMIT);
    }
    return users
        .list(new UserRepository.Filter(cityId, sector, tier, limit))
        .map(
            found ->
                new JsonObject()
                    .put(
                        "items",
                        new JsonArray(
                            found.stream()
                                .map(u -> u.toJson(AccessRules.seesContactDetails(actor, u)))
                                .toList())));
  }

  private Future<JsonObject> setTier(RoutingContext ctx) {
    JsonObject body = Bodies.json(ctx);
    Tier tier = Fields.oneOf(body, "tier", Tier::parse, Tier.ALLOWED);
    String reason = Fields.requiredText(body, "reason", 500);
    return change(
        ctx,
        target -> {
          AccessRules.requireMayGrant(Actor.of(ctx).user(), tier, target.role());
          return new Change("tier", target.tier().name(), tier.name(), "user.tier-changed", reason);
        });
  }

  private Future<JsonObject> setRole(RoutingContext ctx) {
    JsonObject body = Bodies.json(ctx);
    Role role = Fields.oneOf(body, "role", Role::parse, "member, city-coordinator, network-admin");
    String reason = Fields.requiredText(body, "reason", 500);
    return change(
        ctx,
        target -> {
          AccessRules.requireMayGrant(Actor.of(ctx).user(), target.tier(), role);
          if (role == Role.CITY_COORDINATOR && target.cityId() == null) {
            throw ApiError.invalidField("role", "A city coordinator must belong to a city");
          }
          return new Change("role", target.role().wire(), role.wire(), "user.role-changed", reason);
        });
  }

  private Future<JsonObject> suspend(RoutingContext ctx) {
    // Suspension also ends every session, so the user's tokens stop working at once.
    return setStatus(ctx, UserStatus.SUSPENDED, "user.suspended")
        .compose(json -> sessions.revokeAll(json.getString("id")).map(json))
        .onSuccess(
            json -> {
              JsonObject event = new JsonObject().put("userId", json.getString("id"));
              // Their sockets close; their channels are told to remove them.
              ctx.vertx()
                  .eventBus()
                  .publish(
                      Events.user(json.getString("id")), event.copy().put("type", "suspended"));
              ctx.vertx().eventBus().send(Events.USER_SUSPENDED, event);
            });
  }

  private Future<JsonObject> reactivate(RoutingContext ctx) {
    return setStatus(ctx, UserStatus.ACTIVE, "user.reactivated");
  }

  private Future<JsonObject> setStatus(RoutingContext ctx, UserStatus status, String action) {
    String reason = Fields.requiredText(Bodies.json(ctx), "reason", 500);
    return change(
        ctx, target -> new Change("status", target.status().wire(), status.wire(), action, reason));
  }

  /** One audited change of one stored field from {@code from} to {@code to}. */
  private record Change(String field, String from, String to, String action, String reason) {}

  /**
   * Loads the target, checks the actor manages it, computes the change, applies it only if the
   * field still holds what was checked (so two concurrent admins cannot both win), and audits it.
   */
  private Future<JsonObject> change(RoutingContext ctx, Function<User, Change> decide) {
    User actor = Actor.of(ctx).user();
    String id = Fields.id(ctx.pathParam("id"), "user");
    return users
        .byId(id)
        .compose(
            found -> {
              User target =
                  found.orElseThrow(() -> ApiError.notFound("user-not-found", "No such user"));
              AccessRules.requireManagesUser(actor, target);
              Change change = decide.apply(target);
              if (change.from().equals(change.to())) {
                return Future.succeededFuture(target);
              }
              return setAudited(
                  actor, id, change, "This user was changed meanwhile; reload and try again");
            })
        .map(user -> user.toJson(true));
  }

  /**
   * Applies one field change if nobody changed the field meanwhile ({@code 409 concurrent-change}
   * otherwise), then audits it with its from, to and reason (when there is one).
   */
  private Future<User> setAudited(User actor, String id, Change change, String conflictMessage) {
    return users
        .compareAndSet(id, change.field(), change.from(), change.to())
        .compose(
            updated -> {
              User user =
                  updated.orElseThrow(
                      () -> ApiError.conflict("concurrent-change", conflictMessage));
              Map<String, String> details = new java.util.HashMap<>();
              details.put("from", change.from() == null ? "" : change.from());
              details.put("to", change.to());
              if (change.reason() != null) {
                details.put("reason", change.reason());
              }
              return audit
                  .append(actor.id(), change.action(), id, user.cityId(), details)
                  .map(e -> user);
            });
  }

  private static Optional<String> query(RoutingContext ctx, String name) {
    return Optional.ofNullable(ctx.queryParams().get(name)).filter(s -> !s.isBlank());
  }

  private static <T> T parse(String raw, String field, Function<String, T> parser, String allowed) {
    try {
      return parser.apply(raw);
    } catch (IllegalArgumentException e) {
      throw ApiError.invalidField(field, field + " must be one of " + allowed);
    }
  }
}
