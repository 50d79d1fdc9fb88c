package org.liaison.server.accounts;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.liaison.server.api.ApiError;
import org.liaison.server.api.Fields;
import org.liaison.server.http.Bodies;
import org.liaison.server.http.Handlers;
import org.liaison.server.organisations.Sector;

/**
 * The signed-in user, the member directory, and changes to tier, role and status: parses requests,
 * hands them to {@link Accounts}, and answers with the user as JSON.
 */
public final class UserRoutes {
  private static final int DEFAULT_LIMIT = 200;
  private static final int MAX_LIMIT = 1000;

  /** What {@code PATCH /me} lets users change about themselves. */
  private static final List<String> SELF_EDITABLE = List.of("displayName", "preferredLanguage");

  private final Accounts accounts;
  private final Function<RoutingContext, User> signedIn;

  /**
   * @param signedIn the user behind an authenticated request; given by the wiring, since the
   *     authenticator lives in auth, which depends on accounts and not the other way round
   */
  public UserRoutes(Accounts accounts, Function<RoutingContext, User> signedIn) {
    this.accounts = accounts;
    this.signedIn = signedIn;
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
    return accounts.inFull(signedIn.apply(ctx)).map(Accounts.Listed::toJson);
  }

  /**
   * The signed-in user changes their own profile: their display name (the rule of registration,
   * {@link DisplayNames}) and preferred language, one or both. Any other field is refused, not
   * ignored, so a client cannot believe it changed something; everything is checked before anything
   * changes. Each change is audited.
   */
  private Future<JsonObject> updateMe(RoutingContext ctx) {
    JsonObject body = Bodies.json(ctx);
    for (String field : body.fieldNames()) {
      if (!SELF_EDITABLE.contains(field)) {
        throw ApiError.invalidField(
            field, field + " cannot be changed here; only " + String.join(", ", SELF_EDITABLE));
      }
    }
    if (body.isEmpty()) {
      throw ApiError.invalidField(
          "preferredLanguage", "Give displayName or preferredLanguage (or both)");
    }
    Optional<String> name =
        body.containsKey("displayName")
            ? Optional.of(DisplayNames.required(body, "displayName"))
            : Optional.empty();
    Optional<String> language = Languages.optional(body, "preferredLanguage");
    if (body.containsKey("preferredLanguage") && language.isEmpty()) {
      throw ApiError.invalidField("preferredLanguage", "preferredLanguage is required");
    }
    User me = signedIn.apply(ctx);
    Future<User> renamed = name.map(n -> accounts.rename(me, n)).orElse(Future.succeededFuture(me));
    return shown(
        renamed.compose(
            user ->
                language
                    .map(l -> accounts.setLanguage(user, l))
                    .orElse(Future.succeededFuture(user))));
  }

  private Future<JsonObject> list(RoutingContext ctx) {
    User actor = signedIn.apply(ctx);
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
    return accounts
        .directory(actor, new UserRepository.Filter(cityId, sector, tier, limit))
        .map(
            found ->
                new JsonObject()
                    .put(
                        "items",
                        new JsonArray(found.stream().map(Accounts.Listed::toJson).toList())));
  }

  private Future<JsonObject> setTier(RoutingContext ctx) {
    JsonObject body = Bodies.json(ctx);
    Tier tier = Fields.oneOf(body, "tier", Tier::parse, Tier.ALLOWED);
    String reason = Fields.requiredText(body, "reason", 500);
    return shown(accounts.setTier(signedIn.apply(ctx), target(ctx), tier, reason));
  }

  private Future<JsonObject> setRole(RoutingContext ctx) {
    JsonObject body = Bodies.json(ctx);
    Role role = Fields.oneOf(body, "role", Role::parse, "member, city-coordinator, network-admin");
    String reason = Fields.requiredText(body, "reason", 500);
    return shown(accounts.setRole(signedIn.apply(ctx), target(ctx), role, reason));
  }

  private Future<JsonObject> suspend(RoutingContext ctx) {
    String reason = reason(ctx);
    return shown(accounts.suspend(signedIn.apply(ctx), target(ctx), reason));
  }

  private Future<JsonObject> reactivate(RoutingContext ctx) {
    String reason = reason(ctx);
    return shown(accounts.reactivate(signedIn.apply(ctx), target(ctx), reason));
  }

  private static String reason(RoutingContext ctx) {
    return Fields.requiredText(Bodies.json(ctx), "reason", 500);
  }

  /** The user named in the path. */
  private static String target(RoutingContext ctx) {
    return Fields.id(ctx.pathParam("id"), "user");
  }

  /**
   * The user after a change, as those who may change them (and they themselves) see them: all of
   * it, e-mail and devices awaiting confirmation included.
   */
  private Future<JsonObject> shown(Future<User> changed) {
    return changed.compose(accounts::inFull).map(Accounts.Listed::toJson);
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
