package org.liaison.server.audit;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.liaison.server.access.AccessRules;
import org.liaison.server.accounts.Role;
import org.liaison.server.accounts.User;
import org.liaison.server.api.ApiError;
import org.liaison.server.api.Fields;
import org.liaison.server.auth.Actor;
import org.liaison.server.http.Handlers;
import org.liaison.server.http.RateLimit;

/**
 * Reading the audit log: network admins see all of it, city coordinators their city's. And the one
 * bound on what people write into it about themselves ({@link #budgetSelfService}).
 */
public final class AuditRoutes {
  private static final int MAX_LIMIT = 500;
  private final AuditLog audit;

  public AuditRoutes(AuditLog audit) {
    this.audit = audit;
  }

  /**
   * The audited changes people make to their own account and devices: profile, password, key
   * backup, device registration. Every other audited action is bounded otherwise: registering an
   * account needs an invitation; an attestation is written only when it changes; a device is
   * revoked once; the rest (invitations, tiers, roles, suspensions, cities, organisations) is
   * coordinators' and admins'.
   */
  public static final List<String> SELF_SERVICE =
      List.of(
          "PATCH /me",
          "POST /me/password",
          "PUT /key-backup",
          "POST /devices",
          "PUT /devices/:id/name");

  /**
   * Puts the {@link #SELF_SERVICE} routes of {@code api} (mounted already) on one budget per user,
   * checked before anything changes, so no member can fill the log (or slow everyone's audited
   * changes, which append one after another). Fails if one of the routes is missing.
   */
  public static void budgetSelfService(Router api, RateLimit budget) {
    Set<String> missing = new TreeSet<>(SELF_SERVICE);
    for (Route route : api.getRoutes()) {
      if (route.getPath() == null || route.methods() == null) {
        continue;
      }
      for (HttpMethod method : route.methods()) {
        if (missing.remove(method.name() + " " + route.getPath())) {
          Handlers.guard(route, ctx -> budget.take(Actor.of(ctx).user().id()));
        }
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException("audited self-service routes not mounted: " + missing);
    }
  }

  public void mount(Router api, Handler<RoutingContext> authenticated) {
    api.get("/audit").handler(authenticated).handler(Handlers.json(200, this::list));
    api.get("/audit/verify").handler(authenticated).handler(Handlers.json(200, this::verify));
  }

  private Future<JsonObject> list(RoutingContext ctx) {
    User actor = Actor.of(ctx).user();
    Optional<String> city;
    if (AccessRules.isAdmin(actor)) {
      city = Optional.empty();
    } else if (actor.role() == Role.CITY_COORDINATOR) {
      city = Optional.of(actor.cityId());
    } else {
      throw ApiError.forbidden("Only coordinators and network admins can read the audit log");
    }
    long after = Fields.queryLong(ctx, "after", 0, 0, Long.MAX_VALUE);
    int limit = (int) Fields.queryLong(ctx, "limit", 100, 1, MAX_LIMIT);
    return audit
        .list(after, limit, city)
        .map(
            entries ->
                new JsonObject()
                    .put(
                        "items", new JsonArray(entries.stream().map(AuditEntry::toJson).toList())));
  }

  private Future<JsonObject> verify(RoutingContext ctx) {
    AccessRules.requireNetworkAdmin(Actor.of(ctx).user());
    return audit.verify();
  }
}
