package org.liaison.server.devices;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Optional;
import org.liaison.crypto.Ed25519;
import org.liaison.server.api.ApiError;
import org.liaison.server.api.Base64Field;
import org.liaison.server.api.Fields;
import org.liaison.server.auth.Actor;
import org.liaison.server.http.Bodies;
import org.liaison.server.http.Handlers;

/**
 * {@code /devices}: registering a device and binding sessions to it, attaching its tier
 * attestation, listing devices (for safety numbers), and revocation. The rules are in {@link
 * Devices}; this parses requests and maps devices to JSON.
 */
public final class DeviceRoutes {
  private static final int MAX_ATTESTATION = 4096;

  private final Devices devices;

  public DeviceRoutes(Devices devices) {
    this.devices = devices;
  }

  public void mount(Router api, Handler<RoutingContext> authenticated) {
    api.post("/devices").handler(authenticated).handler(Handlers.json(201, this::register));
    api.get("/devices").handler(authenticated).handler(Handlers.json(200, this::mine));
    api.get("/devices/pending").handler(authenticated).handler(Handlers.json(200, this::pending));
    api.post("/devices/:id/session")
        .handler(authenticated)
        .handler(Handlers.json(200, this::bindSession));
    api.put("/devices/:id/attestation")
        .handler(authenticated)
        .handler(Handlers.json(200, this::attest));
    api.put("/devices/:id/name").handler(authenticated).handler(Handlers.json(200, this::rename));
    api.post("/devices/:id/revoke")
        .handler(authenticated)
        .handler(Handlers.json(200, this::revoke));
    api.get("/users/:id/devices").handler(authenticated).handler(Handlers.json(200, this::ofUser));
    api.get("/network/attestation-revocations")
        .handler(authenticated)
        .handler(Handlers.json(200, this::revocations));
  }

  /** Withdrawn device attestations, paged by a dense seq: clients distrust leaves carrying them. */
  private Future<JsonObject> revocations(RoutingContext ctx) {
    long after = Fields.queryLong(ctx, "after", 0, 0, Long.MAX_VALUE);
    return devices
        .revocations(after)
        .map(
            page ->
                new JsonObject()
                    .put(
                        "items",
                        new JsonArray(
                            page.items().stream().map(AttestationRevocation::toJson).toList()))
                    .put("next", page.next()));
  }

  private Future<JsonObject> register(RoutingContext ctx) {
    Actor actor = Actor.of(ctx);
    JsonObject body = Bodies.json(ctx);
    String name = deviceName(body);
    byte[] signatureKey = Base64Field.ed25519PublicKey(body, "signatureKey");
    Optional<byte[]> attestation = Base64Field.optional(body, "attestation", MAX_ATTESTATION);
    return devices.register(actor, name, signatureKey, attestation).map(Device::toJson);
  }

  private Future<JsonObject> mine(RoutingContext ctx) {
    return devices.ownedBy(Actor.of(ctx).user()).map(DeviceRoutes::items);
  }

  private Future<JsonObject> ofUser(RoutingContext ctx) {
    return devices.activeOf(Fields.id(ctx.pathParam("id"), "user")).map(DeviceRoutes::items);
  }

  private static JsonObject items(List<Device> found) {
    return new JsonObject()
        .put("items", new JsonArray(found.stream().map(Device::toJson).toList()));
  }

  private Future<JsonObject> pending(RoutingContext ctx) {
    return devices
        .pending(Actor.of(ctx).user())
        .map(
            found ->
                new JsonObject()
                    .put(
                        "items",
                        new JsonArray(found.stream().map(Devices.Pending::toJson).toList())));
  }

  private Future<JsonObject> bindSession(RoutingContext ctx) {
    Actor actor = Actor.of(ctx);
    String id = deviceId(ctx);
    byte[] signature =
        Base64Field.required(Bodies.json(ctx), "signature", Ed25519.SIGNATURE_LENGTH);
    return devices.bindSession(actor, id, signature).map(Device::toJson);
  }

  private Future<JsonObject> attest(RoutingContext ctx) {
    Actor actor = Actor.of(ctx);
    String id = deviceId(ctx);
    byte[] chain = Base64Field.required(Bodies.json(ctx), "attestation", MAX_ATTESTATION);
    return devices.attest(actor, id, chain).map(Device::toJson);
  }

  private Future<JsonObject> rename(RoutingContext ctx) {
    String id = deviceId(ctx);
    return devices.rename(Actor.of(ctx), id, deviceName(Bodies.json(ctx))).map(Device::toJson);
  }

  /** A device name: trimmed, 1 to 64 characters, no control characters (it is shown in lists). */
  private static String deviceName(JsonObject body) {
    String name = Fields.requiredText(body, "name", Devices.MAX_NAME);
    if (name.codePoints().anyMatch(Character::isISOControl)) {
      throw ApiError.invalidField("name", "name must not contain control characters");
    }
    return name;
  }

  private Future<JsonObject> revoke(RoutingContext ctx) {
    return devices.revoke(Actor.of(ctx), deviceId(ctx)).map(Device::toJson);
  }

  private static String deviceId(RoutingContext ctx) {
    return Fields.id(ctx.pathParam("id"), "device");
  }
}
