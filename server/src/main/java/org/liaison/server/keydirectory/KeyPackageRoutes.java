package org.liaison.server.keydirectory;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.liaison.crypto.mls.ChannelSession;
import org.liaison.crypto.mls.MlsException;
import org.liaison.server.api.ApiError;
import org.liaison.server.api.Base64Field;
import org.liaison.server.auth.Actor;
import org.liaison.server.devices.Device;
import org.liaison.server.devices.DeviceRepository;
import org.liaison.server.http.Bodies;
import org.liaison.server.http.Handlers;

/** {@code /key-packages}: upload (by the bound device), count, and claim for adding members. */
public final class KeyPackageRoutes {
  private static final int MAX_PER_UPLOAD = 100;
  private static final int MAX_PACKAGE_BYTES = 16 * 1024;
  private static final int MAX_CLAIM_USERS = 50;

  private final Vertx vertx;
  private final KeyDirectory keys;
  private final DeviceRepository devices;

  public KeyPackageRoutes(Vertx vertx, KeyDirectory keys, DeviceRepository devices) {
    this.vertx = vertx;
    this.keys = keys;
    this.devices = devices;
  }

  public void mount(Router api, Handler<RoutingContext> authenticated) {
    api.post("/key-packages").handler(authenticated).handler(Handlers.json(200, this::upload));
    api.get("/key-packages/count").handler(authenticated).handler(Handlers.json(200, this::count));
    api.post("/key-packages/claim").handler(authenticated).handler(Handlers.json(200, this::claim));
  }

  private Future<JsonObject> upload(RoutingContext ctx) {
    Actor actor = Actor.of(ctx);
    String deviceId = actor.requireDevice();
    JsonObject body = Bodies.json(ctx);
    List<byte[]> oneTime = new ArrayList<>();
    Object raw = body.getValue("keyPackages");
    if (raw != null && !(raw instanceof JsonArray)) {
      throw ApiError.invalidField("keyPackages", "keyPackages must be an array");
    }
    JsonArray list = raw == null ? new JsonArray() : (JsonArray) raw;
    if (list.size() > MAX_PER_UPLOAD) {
      throw ApiError.invalidField(
          "keyPackages", "at most " + MAX_PER_UPLOAD + " key packages per upload");
    }
    for (int i = 0; i < list.size(); i++) {
      oneTime.add(
          Base64Field.required(
              new JsonObject().put("keyPackages[" + i + "]", list.getValue(i)),
              "keyPackages[" + i + "]",
              MAX_PACKAGE_BYTES));
    }
    Optional<byte[]> lastResort = Base64Field.optional(body, "lastResort", MAX_PACKAGE_BYTES);
    if (oneTime.isEmpty() && lastResort.isEmpty()) {
      throw ApiError.invalidField("keyPackages", "send keyPackages, lastResort or both");
    }
    Object replace = body.getValue("replace", false);
    if (!(replace instanceof Boolean)) {
      throw ApiError.invalidField("replace", "replace must be true or false");
    }
    return activeDevice(deviceId)
        .compose(
            device ->
                ((Boolean) replace
                        ? keys.withdrawOneTime(deviceId)
                        : Future.<Void>succeededFuture())
                    .compose(v -> keys.count(deviceId))
                    .compose(
                        count -> {
                          if (count.oneTime() + oneTime.size()
                              > KeyDirectory.MAX_STORED_PER_DEVICE) {
                            throw new ApiError(
                                409,
                                "too-many-key-packages",
                                "A device keeps at most "
                                    + KeyDirectory.MAX_STORED_PER_DEVICE
                                    + " unused key packages; it has "
                                    + count.oneTime());
                          }
                          List<byte[]> all = new ArrayList<>(oneTime);
                          lastResort.ifPresent(all::add);
                          // Signature checks cost ~0.1 ms each: off the event loop.
                          return vertx.executeBlocking(
                              () -> {
                                all.forEach(kp -> validate(kp, device));
                                return device;
                              });
                        }))
        .compose(device -> keys.store(deviceId, device.userId(), oneTime, lastResort))
        .compose(v -> keys.count(deviceId))
        .map(KeyPackageRoutes::countJson);
  }

  private static void validate(byte[] keyPackage, Device device) {
    ChannelSession.KeyPackageInfo info;
    try {
      info = ChannelSession.inspectKeyPackage(keyPackage);
    } catch (MlsException e) {
      throw invalid("The key package does not decode or verify: " + e.getMessage());
    }
    if (!info.credential().userId().equals(device.userId())
        || !info.credential().deviceId().equals(device.id())) {
      throw invalid("The key package's credential names another user or device");
    }
    if (!Arrays.equals(info.signatureKey(), device.signatureKey())) {
      throw invalid("The key package is signed by another key than this device's");
    }
  }

  private static ApiError invalid(String message) {
    return new ApiError(422, "key-package-invalid", message);
  }

  private Future<Device> activeDevice(String deviceId) {
    return devices
        .byId(deviceId)
        .map(
            found -> {
              Device device =
                  found.orElseThrow(() -> ApiError.notFound("device-not-found", "No such device"));
              if (!device.active()) {
                throw new ApiError(
                    403,
                    "device-not-attested",
                    "This device needs a tier attestation from a coordinator first");
              }
              return device;
            });
  }

  private Future<JsonObject> count(RoutingContext ctx) {
    return keys.count(Actor.of(ctx).requireDevice()).map(KeyPackageRoutes::countJson);
  }

  private static JsonObject countJson(KeyDirectory.Count count) {
    return new JsonObject().put("oneTime", count.oneTime()).put("lastResort", count.lastResort());
  }

  private Future<JsonObject> claim(RoutingContext ctx) {
    Actor.of(ctx);
    JsonObject body = Bodies.json(ctx);
    Object raw = body.getValue("userIds");
    if (!(raw instanceof JsonArray list) || list.isEmpty()) {
      throw ApiError.invalidField("userIds", "userIds must be a non-empty array");
    }
    if (list.size() > MAX_CLAIM_USERS) {
      throw ApiError.invalidField("userIds", "at most " + MAX_CLAIM_USERS + " users per claim");
    }
    Set<String> userIds = new LinkedHashSet<>();
    for (Object id : list) {
      if (!(id instanceof String text) || !text.matches("^[0-9a-f]{32}$")) {
        throw ApiError.invalidField("userIds", "userIds must be user ids");
      }
      userIds.add(text);
    }
    return devices
        .ofUsers(userIds)
        .compose(
            found -> {
              List<Future<Optional<KeyDirectory.Claimed>>> claims = new ArrayList<>();
              for (Device device : found) {
                if (device.active()) {
                  claims.add(keys.claim(device.userId(), device.id()));
                }
              }
              return Future.all(claims)
                  .map(
                      done -> {
                        JsonArray items = new JsonArray();
                        Set<String> served = new LinkedHashSet<>();
                        for (int i = 0; i < claims.size(); i++) {
                          Optional<KeyDirectory.Claimed> claimed = done.resultAt(i);
                          claimed.ifPresent(
                              c -> {
                                served.add(c.userId());
                                items.add(
                                    new JsonObject()
                                        .put("userId", c.userId())
                                        .put("deviceId", c.deviceId())
                                        .put("keyPackage", Base64Field.encode(c.keyPackage()))
                                        .put("lastResort", c.lastResort()));
                              });
                        }
                        JsonArray missing = new JsonArray();
                        userIds.stream().filter(u -> !served.contains(u)).forEach(missing::add);
                        return new JsonObject().put("items", items).put("missing", missing);
                      });
            });
  }
}
