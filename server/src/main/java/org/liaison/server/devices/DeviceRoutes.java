package org.liaison.server.devices;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.liaison.crypto.Ed25519;
import org.liaison.crypto.Labels;
import org.liaison.server.access.AccessRules;
import org.liaison.server.accounts.User;
import org.liaison.server.accounts.UserRepository;
import org.liaison.server.api.ApiError;
import org.liaison.server.api.Base64Field;
import org.liaison.server.api.Fields;
import org.liaison.server.api.Ids;
import org.liaison.server.audit.AuditLog;
import org.liaison.server.auth.Actor;
import org.liaison.server.auth.SessionRepository;
import org.liaison.server.events.Events;
import org.liaison.server.http.Bodies;
import org.liaison.server.http.Handlers;
import org.liaison.server.keydirectory.KeyDirectory;
import org.liaison.server.network.NetworkRoot;

/**
 * {@code /devices}: registering a device and binding sessions to it, attaching its tier
 * attestation, listing devices (for safety numbers), and revocation.
 */
public final class DeviceRoutes {
  private static final int MAX_ATTESTATION = 4096;

  private final Vertx vertx;
  private final DeviceRepository devices;
  private final UserRepository users;
  private final SessionRepository sessions;
  private final KeyDirectory keys;
  private final NetworkRoot root;
  private final AuditLog audit;
  private final Clock clock;

  public DeviceRoutes(
      Vertx vertx,
      DeviceRepository devices,
      UserRepository users,
      SessionRepository sessions,
      KeyDirectory keys,
      NetworkRoot root,
      AuditLog audit,
      Clock clock) {
    this.vertx = vertx;
    this.devices = devices;
    this.users = users;
    this.sessions = sessions;
    this.keys = keys;
    this.root = root;
    this.audit = audit;
    this.clock = clock;
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
    api.post("/devices/:id/revoke")
        .handler(authenticated)
        .handler(Handlers.json(200, this::revoke));
    api.get("/users/:id/devices").handler(authenticated).handler(Handlers.json(200, this::ofUser));
  }

  private Future<JsonObject> register(RoutingContext ctx) {
    Actor actor = Actor.of(ctx);
    JsonObject body = Bodies.json(ctx);
    String name = Fields.requiredText(body, "name", 64);
    byte[] signatureKey = Base64Field.required(body, "signatureKey", Ed25519.PUBLIC_KEY_LENGTH);
    if (signatureKey.length != Ed25519.PUBLIC_KEY_LENGTH) {
      throw ApiError.invalidField("signatureKey", "signatureKey must be a 32-byte Ed25519 key");
    }
    Optional<byte[]> attestation = Base64Field.optional(body, "attestation", MAX_ATTESTATION);
    if (actor.deviceId().isPresent()) {
      throw ApiError.conflict(
          "device-already-registered", "This session already belongs to a device");
    }
    Device unattested =
        new Device(
            Ids.newId(),
            actor.user().id(),
            name,
            signatureKey,
            DeviceStatus.AWAITING_ATTESTATION,
            Optional.empty(),
            clock.instant());
    Future<Device> device =
        attestation.isEmpty()
            ? Future.succeededFuture(unattested)
            : root.requireKey()
                .map(
                    rootKey -> {
                      AttestationCheck.verify(
                          rootKey, attestation.get(), unattested, actor.user(), clock.instant());
                      return new Device(
                          unattested.id(),
                          unattested.userId(),
                          name,
                          signatureKey,
                          DeviceStatus.ACTIVE,
                          attestation,
                          unattested.createdAt());
                    });
    return device
        .compose(devices::insert)
        .compose(
            inserted ->
                sessions
                    .bindDevice(actor.sessionId(), inserted.id())
                    .compose(
                        bound -> {
                          if (!bound) {
                            // Another request bound this session first; this device is unusable.
                            return devices
                                .revoke(inserted.id())
                                .compose(
                                    v ->
                                        Future.failedFuture(
                                            ApiError.conflict(
                                                "device-already-registered",
                                                "This session already belongs to a device")));
                          }
                          return audit
                              .append(
                                  actor.user().id(),
                                  "device.registered",
                                  inserted.id(),
                                  actor.user().cityId(),
                                  Map.of("status", inserted.status().wire()))
                              .map(e -> inserted.toJson());
                        }));
  }

  private Future<JsonObject> mine(RoutingContext ctx) {
    return devices.ofUsers(List.of(Actor.of(ctx).user().id())).map(DeviceRoutes::items);
  }

  private Future<JsonObject> ofUser(RoutingContext ctx) {
    String userId = Fields.id(ctx.pathParam("id"), "user");
    return devices
        .ofUsers(List.of(userId))
        .map(found -> items(found.stream().filter(Device::active).toList()));
  }

  private static JsonObject items(List<Device> found) {
    return new JsonObject()
        .put("items", new JsonArray(found.stream().map(Device::toJson).toList()));
  }

  /** Devices a coordinator's client should attest: those of members in the coordinator's city. */
  private Future<JsonObject> pending(RoutingContext ctx) {
    User actor = Actor.of(ctx).user();
    if (!AccessRules.isAdmin(actor)
        && actor.role() != org.liaison.server.accounts.Role.CITY_COORDINATOR) {
      throw ApiError.forbidden("Only coordinators and network admins attest devices");
    }
    return devices
        .awaitingAttestation()
        .compose(
            waiting ->
                users
                    .byIds(waiting.stream().map(Device::userId).collect(Collectors.toSet()))
                    .map(
                        owners -> {
                          Map<String, User> byId =
                              owners.stream().collect(Collectors.toMap(User::id, u -> u));
                          JsonArray items = new JsonArray();
                          for (Device d : waiting) {
                            User owner = byId.get(d.userId());
                            if (owner != null && AccessRules.managesCity(actor, owner.cityId())) {
                              items.add(
                                  d.toJson()
                                      .put("tier", owner.tier().name())
                                      .put("sector", owner.sector().wire())
                                      .put("cityId", owner.cityId())
                                      .put("displayName", owner.displayName()));
                            }
                          }
                          return new JsonObject().put("items", items);
                        }));
  }

  /** A new login of the same device proves it holds the device key by signing the session id. */
  private Future<JsonObject> bindSession(RoutingContext ctx) {
    Actor actor = Actor.of(ctx);
    String id = Fields.id(ctx.pathParam("id"), "device");
    byte[] signature =
        Base64Field.required(Bodies.json(ctx), "signature", Ed25519.SIGNATURE_LENGTH);
    return ownDevice(actor, id)
        .compose(
            device -> {
              boolean valid =
                  Ed25519.verify(
                      device.signatureKey(),
                      Labels.DEVICE_SESSION,
                      actor.sessionId().getBytes(StandardCharsets.UTF_8),
                      signature);
              if (!valid) {
                throw new ApiError(
                    403, "bad-signature", "The signature does not prove this device's key");
              }
              if (actor.deviceId().filter(id::equals).isPresent()) {
                return Future.succeededFuture(device.toJson());
              }
              return sessions
                  .bindDevice(actor.sessionId(), id)
                  .map(
                      bound -> {
                        if (!bound) {
                          throw ApiError.conflict(
                              "device-already-registered",
                              "This session already belongs to another device");
                        }
                        return device.toJson();
                      });
            });
  }

  private Future<Device> ownDevice(Actor actor, String id) {
    return devices
        .byId(id)
        .map(
            found -> {
              Device device =
                  found
                      .filter(d -> d.userId().equals(actor.user().id()))
                      .orElseThrow(() -> ApiError.notFound("device-not-found", "No such device"));
              if (device.status() == DeviceStatus.REVOKED) {
                throw new ApiError(410, "device-revoked", "This device was revoked");
              }
              return device;
            });
  }

  /**
   * The device, its owner, and whether the actor may act on it (owner, city coordinator, admin).
   */
  private Future<Map.Entry<Device, User>> managed(Actor actor, String id) {
    return devices
        .byId(id)
        .compose(
            found -> {
              Device device =
                  found.orElseThrow(() -> ApiError.notFound("device-not-found", "No such device"));
              return users
                  .byId(device.userId())
                  .map(
                      owner -> {
                        User user =
                            owner.orElseThrow(
                                () -> ApiError.notFound("device-not-found", "No such device"));
                        boolean own = user.id().equals(actor.user().id());
                        if (!own && !AccessRules.managesCity(actor.user(), user.cityId())) {
                          // Someone else's device in a city one does not manage: as if absent.
                          throw ApiError.notFound("device-not-found", "No such device");
                        }
                        if (device.status() == DeviceStatus.REVOKED) {
                          throw new ApiError(410, "device-revoked", "This device was revoked");
                        }
                        return Map.entry(device, user);
                      });
            });
  }

  private Future<JsonObject> attest(RoutingContext ctx) {
    Actor actor = Actor.of(ctx);
    String id = Fields.id(ctx.pathParam("id"), "device");
    byte[] chain = Base64Field.required(Bodies.json(ctx), "attestation", MAX_ATTESTATION);
    return managed(actor, id)
        .compose(
            pair ->
                root.requireKey()
                    .compose(
                        rootKey -> {
                          AttestationCheck.verify(
                              rootKey, chain, pair.getKey(), pair.getValue(), clock.instant());
                          return devices.attest(id, chain);
                        }))
        .compose(
            updated -> {
              Device device =
                  updated.orElseThrow(() -> new ApiError(410, "device-revoked", "Revoked"));
              return audit
                  .append(
                      actor.user().id(),
                      "device.attested",
                      device.id(),
                      actor.user().cityId(),
                      Map.of("owner", device.userId()))
                  .map(e -> device.toJson());
            });
  }

  private Future<JsonObject> revoke(RoutingContext ctx) {
    Actor actor = Actor.of(ctx);
    String id = Fields.id(ctx.pathParam("id"), "device");
    return managed(actor, id)
        .compose(
            pair ->
                devices
                    .revoke(id)
                    .compose(v -> sessions.revokeDevice(id))
                    .compose(v -> keys.forgetDevice(id))
                    .compose(
                        v -> {
                          vertx
                              .eventBus()
                              .publish(Events.device(id), new JsonObject().put("type", "revoked"));
                          vertx
                              .eventBus()
                              .send(
                                  Events.DEVICE_REVOKED,
                                  new JsonObject()
                                      .put("userId", pair.getKey().userId())
                                      .put("deviceId", id));
                          return audit.append(
                              actor.user().id(),
                              "device.revoked",
                              id,
                              pair.getValue().cityId(),
                              Map.of("owner", pair.getKey().userId()));
                        })
                    .map(e -> pair.getKey().toJson().put("status", DeviceStatus.REVOKED.wire())));
  }
}
