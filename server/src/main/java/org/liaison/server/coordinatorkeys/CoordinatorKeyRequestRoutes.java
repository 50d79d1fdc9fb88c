package org.liaison.server.coordinatorkeys;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.liaison.server.api.Base64Field;
import org.liaison.server.api.Fields;
import org.liaison.server.auth.Actor;
import org.liaison.server.http.Bodies;
import org.liaison.server.http.Handlers;

/** {@code /coordinator-keys}: coordinators ask, the root holder signs or declines. */
public final class CoordinatorKeyRequestRoutes {
  /** An attestation is about 250 bytes; anything near this is not one. */
  private static final int MAX_ATTESTATION_BYTES = 1024;

  private final CoordinatorKeyRequests requests;

  public CoordinatorKeyRequestRoutes(CoordinatorKeyRequests requests) {
    this.requests = requests;
  }

  public void mount(Router api, Handler<RoutingContext> authenticated) {
    api.get("/coordinator-keys").handler(authenticated).handler(Handlers.json(200, this::pending));
    api.get("/coordinator-keys/mine")
        .handler(authenticated)
        .handler(Handlers.json(200, this::mine));
    api.put("/coordinator-keys/mine")
        .handler(authenticated)
        .handler(Handlers.json(200, this::request));
    api.put("/coordinator-keys/:userId/attestation")
        .handler(authenticated)
        .handler(Handlers.json(200, this::sign));
    api.post("/coordinator-keys/:userId/decline")
        .handler(authenticated)
        .handler(Handlers.json(200, this::decline));
  }

  private Future<JsonObject> pending(RoutingContext ctx) {
    return requests
        .pending(Actor.of(ctx).user())
        .map(items -> new JsonObject().put("items", new JsonArray(items)));
  }

  private Future<JsonObject> mine(RoutingContext ctx) {
    return requests.mine(Actor.of(ctx).user());
  }

  private Future<JsonObject> request(RoutingContext ctx) {
    byte[] key = Base64Field.ed25519PublicKey(Bodies.json(ctx), "publicKey");
    return requests.request(Actor.of(ctx).user(), key);
  }

  private Future<JsonObject> sign(RoutingContext ctx) {
    byte[] attestation =
        Base64Field.required(Bodies.json(ctx), "attestation", MAX_ATTESTATION_BYTES);
    return requests.sign(Actor.of(ctx).user(), userId(ctx), attestation);
  }

  private Future<JsonObject> decline(RoutingContext ctx) {
    String reason = Fields.requiredText(Bodies.json(ctx), "reason", 500);
    return requests.decline(Actor.of(ctx).user(), userId(ctx), reason);
  }

  private static String userId(RoutingContext ctx) {
    return Fields.id(ctx.pathParam("userId"), "user");
  }
}
