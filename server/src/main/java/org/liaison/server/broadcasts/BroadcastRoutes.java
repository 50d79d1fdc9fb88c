package org.liaison.server.broadcasts;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.liaison.crypto.Ed25519;
import org.liaison.server.api.ApiError;
import org.liaison.server.api.Base64Field;
import org.liaison.server.api.Fields;
import org.liaison.server.auth.Actor;
import org.liaison.server.http.Bodies;
import org.liaison.server.http.Handlers;

/**
 * {@code /broadcasts} and {@code /devices/{id}/broadcast-key}, over HTTP (docs/broadcasts.md). The
 * rules are in {@link Broadcasts}; this parses requests.
 */
public final class BroadcastRoutes {
  static final String BROADCASTS = "/broadcasts";
  static final String BROADCAST = "/broadcasts/:id";

  private static final int MAX_HEADER = 4096;
  private static final int MAX_CHAIN = 4096;
  private static final int MAX_COORDINATOR = 1024;
  private static final int ENC_BYTES = 32;
  private static final int WRAPPED_KEY_BYTES = 48;
  private static final int DEFAULT_LIST = 50;
  private static final int MAX_LIST = 200;

  private final Broadcasts broadcasts;
  private final int maxSendBytes;

  public BroadcastRoutes(Broadcasts broadcasts, int maxSendBytes) {
    this.broadcasts = broadcasts;
    this.maxSendBytes = maxSendBytes;
  }

  /**
   * The send's own body limit ({@code broadcasts.maxSendBytes}), mounted before the API's general
   * body handler as the document routes mount theirs: no other route gets a larger limit.
   */
  public void mountBodyLimits(Router api, int generalLimit) {
    api.post(BROADCASTS)
        .handler(
            BodyHandler.create()
                .setBodyLimit(Math.max(generalLimit, maxSendBytes))
                .setHandleFileUploads(false));
  }

  public void mount(Router api, Handler<RoutingContext> authenticated) {
    api.put("/devices/:id/broadcast-key")
        .handler(authenticated)
        .handler(Handlers.json(200, this::publishKey));
    api.post(BROADCASTS + "/audience")
        .handler(authenticated)
        .handler(Handlers.json(200, this::audience));
    api.post(BROADCASTS + "/recipients")
        .handler(authenticated)
        .handler(Handlers.json(200, this::recipients));
    api.get(BROADCASTS + "/sent").handler(authenticated).handler(Handlers.json(200, this::sent));
    api.post(BROADCASTS).handler(authenticated).handler(this::send);
    api.get(BROADCASTS).handler(authenticated).handler(Handlers.json(200, this::list));
    api.get(BROADCAST).handler(authenticated).handler(Handlers.json(200, this::get));
    api.post(BROADCAST + "/acks").handler(authenticated).handler(this::acknowledge);
    api.get(BROADCAST + "/status").handler(authenticated).handler(Handlers.json(200, this::status));
    api.post(BROADCAST + "/reminders")
        .handler(authenticated)
        .handler(Handlers.json(201, this::remind));
  }

  private Future<JsonObject> publishKey(RoutingContext ctx) {
    String deviceId = Fields.id(ctx.pathParam("id"), "device");
    JsonObject body = Bodies.json(ctx);
    byte[] publicKey = Base64Field.required(body, "publicKey", 32);
    if (publicKey.length != 32) {
      throw ApiError.invalidField("publicKey", "publicKey must be a 32-byte X25519 public key");
    }
    long validFrom = Fields.wholeNumber(body, "validFrom");
    byte[] signature = signature(body, "signature");
    return broadcasts.publishKey(Actor.of(ctx).user(), deviceId, publicKey, validFrom, signature);
  }

  private Future<JsonObject> audience(RoutingContext ctx) {
    JsonObject body = Bodies.json(ctx);
    return broadcasts.audience(
        sender(ctx), Audience.fromJson(body, "audience"), resendOf(body), only(body));
  }

  private Future<JsonObject> recipients(RoutingContext ctx) {
    JsonObject body = Bodies.json(ctx);
    long page = body.containsKey("page") ? Fields.wholeNumber(body, "page") : 0;
    if (page > 10_000) {
      throw ApiError.invalidField("page", "page must be a whole number in 0..10000");
    }
    return broadcasts.recipients(
        sender(ctx), Audience.fromJson(body, "audience"), resendOf(body), only(body), (int) page);
  }

  /** 201 for a new broadcast, 200 for a retry of one stored already. */
  private void send(RoutingContext ctx) {
    Handlers.run(
        ctx,
        c -> {
          JsonObject body = Bodies.json(c);
          String id = broadcastId(body, "id");
          byte[] header = Base64Field.required(body, "header", MAX_HEADER);
          byte[] signature = signature(body, "signature");
          Object proof = body.getValue("authorProof");
          if (!(proof instanceof JsonObject authorProof)) {
            throw ApiError.invalidField("authorProof", "authorProof must be {chain, coordinator}");
          }
          byte[] chain = Base64Field.required(authorProof, "chain", MAX_CHAIN);
          byte[] coordinator = Base64Field.required(authorProof, "coordinator", MAX_COORDINATOR);
          byte[] content =
              Base64Field.required(
                  body,
                  "content",
                  broadcasts.maxContentBytes(),
                  () ->
                      new ApiError(
                          413,
                          "broadcast-too-large",
                          "The announcement's content must be at most "
                              + broadcasts.maxContentBytes()
                              + " bytes",
                          new JsonObject().put("field", "content")));
          return broadcasts.send(
              sender(c),
              new Broadcasts.SendRequest(
                  id,
                  header,
                  signature,
                  chain,
                  coordinator,
                  content,
                  wraps(body),
                  only(body).map(o -> o.name().toLowerCase(java.util.Locale.ROOT))));
        },
        sent -> Bodies.send(ctx, sent.created() ? 201 : 200, sent.body()));
  }

  private static Map<String, BroadcastRepository.Wrap> wraps(JsonObject body) {
    Object raw = body.getValue("wraps");
    if (!(raw instanceof JsonArray array) || array.isEmpty()) {
      throw ApiError.invalidField("wraps", "wraps must list at least one {deviceId, enc, key}");
    }
    Map<String, BroadcastRepository.Wrap> wraps = new LinkedHashMap<>();
    for (Object item : array) {
      if (!(item instanceof JsonObject wrap)) {
        throw ApiError.invalidField("wraps", "each wrap must be {deviceId, enc, key}");
      }
      Object deviceId = wrap.getValue("deviceId");
      if (!(deviceId instanceof String device) || !device.matches("^[0-9a-f]{32}$")) {
        throw ApiError.invalidField("wraps", "each wrap must name a deviceId");
      }
      byte[] enc = Base64Field.required(wrap, "enc", ENC_BYTES);
      byte[] key = Base64Field.required(wrap, "key", WRAPPED_KEY_BYTES);
      if (enc.length != ENC_BYTES || key.length != WRAPPED_KEY_BYTES) {
        throw ApiError.invalidField("wraps", "a wrap is enc (32 bytes) and key (48 bytes)");
      }
      if (wraps.put(device, new BroadcastRepository.Wrap(enc, key)) != null) {
        throw ApiError.invalidField("wraps", "each device is wrapped to once");
      }
    }
    return wraps;
  }

  private Future<JsonObject> list(RoutingContext ctx) {
    long after = Fields.queryLong(ctx, "after", 0, 0, Long.MAX_VALUE / 2);
    int limit = (int) Fields.queryLong(ctx, "limit", DEFAULT_LIST, 1, MAX_LIST);
    return broadcasts.list(sender(ctx), after, limit);
  }

  private Future<JsonObject> get(RoutingContext ctx) {
    return broadcasts.get(sender(ctx), pathId(ctx));
  }

  /** 201 {duplicate: false} for the user's first acknowledgement, 200 {duplicate: true} after. */
  private void acknowledge(RoutingContext ctx) {
    Handlers.run(
        ctx,
        c -> {
          JsonObject body = Bodies.json(c);
          long ackedAt = Fields.wholeNumber(body, "ackedAt");
          byte[] signature = signature(body, "signature");
          return broadcasts.acknowledge(sender(c), pathId(c), ackedAt, signature);
        },
        duplicate ->
            Bodies.send(ctx, duplicate ? 200 : 201, new JsonObject().put("duplicate", duplicate)));
  }

  private Future<JsonObject> status(RoutingContext ctx) {
    int page = (int) Fields.queryLong(ctx, "page", 0, 0, 100_000);
    return broadcasts.status(sender(ctx), pathId(ctx), page);
  }

  private Future<JsonObject> remind(RoutingContext ctx) {
    JsonObject body = Bodies.json(ctx);
    long n = Fields.wholeNumber(body, "n");
    if (n < 1 || n > 65_535) {
      throw ApiError.invalidField("n", "n must be a whole number in 1..65535");
    }
    long at = Fields.wholeNumber(body, "at");
    return broadcasts.remind(sender(ctx), pathId(ctx), (int) n, at, signature(body, "signature"));
  }

  private Future<JsonObject> sent(RoutingContext ctx) {
    return broadcasts.sent(sender(ctx));
  }

  // ---- fields -------------------------------------------------------------------------------

  private static byte[] signature(JsonObject body, String field) {
    byte[] signature = Base64Field.required(body, field, Ed25519.SIGNATURE_LENGTH);
    if (signature.length != Ed25519.SIGNATURE_LENGTH) {
      throw ApiError.invalidField(field, field + " must be a 64-byte Ed25519 signature");
    }
    return signature;
  }

  private static String broadcastId(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (!(value instanceof String id) || !id.matches("^[0-9a-f]{32}$")) {
      throw ApiError.invalidField(field, field + " must be 32 lower-case hex characters");
    }
    return id;
  }

  private static Optional<String> resendOf(JsonObject body) {
    return body.getValue("resendOf") == null
        ? Optional.empty()
        : Optional.of(broadcastId(body, "resendOf"));
  }

  private static Optional<Broadcasts.Only> only(JsonObject body) {
    Object value = body.getValue("only");
    if (value == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Broadcasts.Only.parse(String.valueOf(value)));
    } catch (IllegalArgumentException e) {
      throw ApiError.invalidField("only", "only must be unacknowledged or new");
    }
  }

  private static String pathId(RoutingContext ctx) {
    String raw = ctx.pathParam("id");
    if (raw == null || !raw.matches("^[0-9a-f]{32}$")) {
      throw Broadcasts.notFound();
    }
    return raw;
  }

  private static Broadcasts.Sender sender(RoutingContext ctx) {
    Actor actor = Actor.of(ctx);
    return new Broadcasts.Sender(actor.user(), actor.requireDevice());
  }
}
