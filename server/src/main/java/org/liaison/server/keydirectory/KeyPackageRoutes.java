package org.liaison.server.keydirectory;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.liaison.server.api.ApiError;
import org.liaison.server.api.Base64Field;
import org.liaison.server.auth.Actor;
import org.liaison.server.http.Bodies;
import org.liaison.server.http.Handlers;
import org.liaison.server.http.RateLimit;

/**
 * {@code /key-packages}: upload (by the bound device), count, and claim for adding members. The
 * rules are in {@link KeyDirectory}; this parses requests and maps the answers to JSON.
 */
public final class KeyPackageRoutes {
  private static final int MAX_PER_UPLOAD = 100;
  private static final int MAX_PACKAGE_BYTES = 16 * 1024;
  private static final int MAX_CLAIM_USERS = 50;

  private final KeyDirectory keys;
  private final RateLimit claimRate;

  /**
   * @param claimRate key packages each user may claim (one per user named in a claim), so nobody
   *     drains the one-time packages of others and forces last-resort use
   */
  public KeyPackageRoutes(KeyDirectory keys, RateLimit claimRate) {
    this.keys = keys;
    this.claimRate = claimRate;
  }

  public void mount(Router api, Handler<RoutingContext> authenticated) {
    api.post("/key-packages").handler(authenticated).handler(Handlers.json(200, this::upload));
    api.get("/key-packages/count").handler(authenticated).handler(Handlers.json(200, this::count));
    api.post("/key-packages/claim").handler(authenticated).handler(Handlers.json(200, this::claim));
  }

  private Future<JsonObject> upload(RoutingContext ctx) {
    String deviceId = Actor.of(ctx).requireDevice();
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
    return keys.upload(deviceId, new KeyDirectory.Upload(oneTime, lastResort, (Boolean) replace))
        .map(KeyPackageRoutes::countJson);
  }

  private Future<JsonObject> count(RoutingContext ctx) {
    return keys.count(Actor.of(ctx).requireDevice()).map(KeyPackageRoutes::countJson);
  }

  private static JsonObject countJson(KeyDirectory.Count count) {
    return new JsonObject().put("oneTime", count.oneTime()).put("lastResort", count.lastResort());
  }

  private Future<JsonObject> claim(RoutingContext ctx) {
    Actor actor = Actor.of(ctx);
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
    // Each user named counts, all or none: a claim for 50 people costs 50 (429 before anything).
    claimRate.take(actor.user().id(), userIds.size());
    return keys.claimFor(userIds).map(KeyPackageRoutes::claimsJson);
  }

  private static JsonObject claimsJson(KeyDirectory.Claims claims) {
    JsonArray items = new JsonArray();
    for (KeyDirectory.Claimed c : claims.items()) {
      items.add(
          new JsonObject()
              .put("userId", c.userId())
              .put("deviceId", c.deviceId())
              .put("keyPackage", Base64Field.encode(c.keyPackage()))
              .put("lastResort", c.lastResort()));
    }
    return new JsonObject().put("items", items).put("missing", new JsonArray(claims.missing()));
  }
}
