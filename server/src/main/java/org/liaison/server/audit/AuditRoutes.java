package org.liaison.server.audit;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import org.liaison.server.access.AccessRules;
import org.liaison.server.accounts.Role;
import org.liaison.server.accounts.User;
import org.liaison.server.api.ApiError;
import org.liaison.server.api.Fields;
import org.liaison.server.auth.Actor;
import org.liaison.server.http.Handlers;

/** Reading the audit log: network admins see all of it, city coordinators their city's. */
public final class AuditRoutes {
  private static final int MAX_LIMIT = 500;
  private final AuditLog audit;

  public AuditRoutes(AuditLog audit) {
    this.audit = audit;
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
