package org.liaison.server.invitations;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.liaison.server.accounts.Languages;
import org.liaison.server.accounts.Role;
import org.liaison.server.accounts.Tier;
import org.liaison.server.api.ApiError;
import org.liaison.server.api.Fields;
import org.liaison.server.auth.Actor;
import org.liaison.server.http.Bodies;
import org.liaison.server.http.Handlers;

public final class InvitationRoutes {
  private static final int MAX_LIMIT = 1000;
  private final Invitations invitations;

  public InvitationRoutes(Invitations invitations) {
    this.invitations = invitations;
  }

  public void mount(Router api, Handler<RoutingContext> authenticated) {
    api.post("/invitations").handler(authenticated).handler(Handlers.json(201, this::create));
    api.get("/invitations").handler(authenticated).handler(Handlers.json(200, this::list));
    api.post("/invitations/:id/revoke")
        .handler(authenticated)
        .handler(Handlers.json(200, this::revoke));
    api.post("/invitations/:id/send")
        .handler(authenticated)
        .handler(Handlers.json(200, this::send));
    // The code travels in the body, not the URL, so it stays out of access logs and histories.
    api.post("/invitations/preview").handler(Handlers.json(200, this::preview));
  }

  private Future<JsonObject> create(RoutingContext ctx) {
    JsonObject body = Bodies.json(ctx);
    String email = Fields.email(body, "email");
    String cityId = Fields.requiredText(body, "cityId", 64);
    String organisationId = Fields.requiredText(body, "organisationId", 64);
    Tier tier = Fields.oneOf(body, "tier", Tier::parse, Tier.ALLOWED);
    Role role = Fields.oneOf(body, "role", Role::parse, "member, city-coordinator, network-admin");
    String language = Languages.optional(body, "language").orElse(null);
    Object send = body.getValue("sendEmail");
    if (send != null && !(send instanceof Boolean)) {
      throw ApiError.invalidField("sendEmail", "sendEmail must be true or false");
    }
    // E-mailed unless asked not to, where the server sends mail at all.
    boolean sendEmail = send == null ? invitations.mailConfigured() : (Boolean) send;
    return invitations
        .create(
            Actor.of(ctx).user(), email, cityId, organisationId, tier, role, language, sendEmail)
        .map(Invitations.Created::toJson);
  }

  private Future<JsonObject> list(RoutingContext ctx) {
    int limit = (int) Fields.queryLong(ctx, "limit", 200, 1, MAX_LIMIT);
    return invitations
        .listPending(Actor.of(ctx).user(), limit)
        .map(
            items ->
                new JsonObject()
                    .put("items", new JsonArray(items))
                    .put("mailConfigured", invitations.mailConfigured()));
  }

  private Future<JsonObject> revoke(RoutingContext ctx) {
    return invitations.revoke(Actor.of(ctx).user(), invitationId(ctx));
  }

  private static String invitationId(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    // Not Fields.id: its "invitation-not-found" is the answer about codes, not listed invitations.
    if (id == null || !id.matches("^[0-9a-f]{32}$")) {
      throw Invitations.notFound();
    }
    return id;
  }

  private Future<JsonObject> send(RoutingContext ctx) {
    return invitations
        .sendAgain(Actor.of(ctx).user(), invitationId(ctx))
        .map(Invitations.Created::toJson);
  }

  private Future<JsonObject> preview(RoutingContext ctx) {
    return invitations.preview(Fields.requiredText(Bodies.json(ctx), "code", 128));
  }
}
