package org.liaison.server.network;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import org.liaison.server.api.Base64Field;
import org.liaison.server.auth.Actor;
import org.liaison.server.http.Bodies;
import org.liaison.server.http.Handlers;

/** {@code /network}: the root key clients compare with the one they were configured with. */
public final class NetworkRoutes {
  private final NetworkKeys keys;

  public NetworkRoutes(NetworkKeys keys) {
    this.keys = keys;
  }

  public void mount(Router api, Handler<RoutingContext> authenticated) {
    api.get("/network").handler(authenticated).handler(Handlers.json(200, this::show));
    api.put("/network/root-key")
        .handler(authenticated)
        .handler(Handlers.json(200, this::setRootKey));
  }

  private Future<JsonObject> show(RoutingContext ctx) {
    return keys.rootKey().map(NetworkRoutes::toJson);
  }

  private Future<JsonObject> setRootKey(RoutingContext ctx) {
    Actor actor = Actor.of(ctx);
    byte[] key = Base64Field.ed25519PublicKey(Bodies.json(ctx), "rootKey");
    return keys.setRootKey(actor.user(), key).map(k -> toJson(Optional.of(k)));
  }

  private static JsonObject toJson(Optional<byte[]> key) {
    JsonObject json = new JsonObject();
    key.ifPresent(
        k ->
            json.put("rootKey", Base64Field.encode(k))
                .put("rootFingerprint", NetworkRoot.fingerprint(k)));
    return json;
  }
}
