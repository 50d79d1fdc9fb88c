package org.liaison.server.channels;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.liaison.crypto.codec.DecodeException;
import org.liaison.crypto.mls.ChannelGroupId;
import org.liaison.crypto.mls.ChannelPolicy;
import org.liaison.crypto.mls.HandshakeInspector;
import org.liaison.crypto.mls.MlsException;
import org.liaison.server.api.ApiError;
import org.liaison.server.api.Base64Field;
import org.liaison.server.api.Fields;
import org.liaison.server.auth.Actor;
import org.liaison.server.delivery.DeliveryService;
import org.liaison.server.delivery.LogEntry;
import org.liaison.server.devices.DeviceRepository;
import org.liaison.server.http.Bodies;
import org.liaison.server.http.Handlers;

/** {@code /channels} and {@code /welcomes}: the delivery service over HTTP. */
public final class ChannelRoutes {
  /** MLS messages are capped before parsing (bcmls 1.84 predates later hardening). */
  public static final int MAX_MLS_BYTES = 256 * 1024;

  private static final int MAX_META_BYTES = 4096;
  private static final int DEFAULT_PAGE = 100;
  private static final int MAX_PAGE = 500;

  private final DeliveryService delivery;
  private final DeviceRepository devices;
  private final Clock clock;

  public ChannelRoutes(DeliveryService delivery, DeviceRepository devices, Clock clock) {
    this.delivery = delivery;
    this.devices = devices;
    this.clock = clock;
  }

  public void mount(Router api, Handler<RoutingContext> authenticated) {
    api.post("/channels").handler(authenticated).handler(Handlers.json(201, this::create));
    api.get("/channels").handler(authenticated).handler(Handlers.json(200, this::list));
    api.get("/channels/:id").handler(authenticated).handler(Handlers.json(200, this::show));
    api.put("/channels/:id/meta").handler(authenticated).handler(Handlers.json(200, this::meta));
    api.get("/channels/:id/group-info")
        .handler(authenticated)
        .handler(Handlers.json(200, this::groupInfo));
    api.post("/channels/:id/commits")
        .handler(authenticated)
        .handler(Handlers.json(201, this::commit));
    api.post("/channels/:id/messages").handler(authenticated).handler(ctx -> send(ctx));
    api.get("/channels/:id/messages")
        .handler(authenticated)
        .handler(Handlers.json(200, this::read));
    api.put("/channels/:id/read")
        .handler(authenticated)
        .handler(Handlers.json(200, this::markRead));
    api.post("/channels/:id/leave").handler(authenticated).handler(Handlers.json(200, this::leave));
    api.get("/welcomes").handler(authenticated).handler(Handlers.json(200, this::welcomes));
  }

  private Future<JsonObject> create(RoutingContext ctx) {
    Actor actor = Actor.of(ctx);
    String deviceId = actor.requireDevice();
    JsonObject body = Bodies.json(ctx);
    byte[] groupIdBytes = Base64Field.required(body, "groupId", 1024);
    ChannelKind kind = Fields.oneOf(body, "kind", ChannelKind::parse, ChannelKind.ALLOWED);
    ChannelPolicy policy = Policies.fromJson(body);
    byte[] groupInfo = Base64Field.required(body, "groupInfo", MAX_MLS_BYTES);
    Optional<Channel.Meta> meta = meta(body);
    ChannelGroupId groupId;
    try {
      groupId = ChannelGroupId.decode(groupIdBytes);
    } catch (DecodeException | IllegalArgumentException e) {
      throw ApiError.invalidField("groupId", "groupId is not a Liaison channel group id");
    }
    if (!groupId.policy().equals(policy)) {
      throw ApiError.invalidField(
          "policy", "policy differs from the policy carried in the MLS group id");
    }
    HandshakeInspector.InspectedGroupInfo info;
    try {
      info = HandshakeInspector.groupInfo(groupInfo);
    } catch (MlsException e) {
      throw new ApiError(400, "malformed-mls", "groupInfo is not an MLS GroupInfo");
    }
    if (info.epoch() != 0 || !java.util.Arrays.equals(info.groupId(), groupIdBytes)) {
      throw new ApiError(400, "malformed-mls", "groupInfo must be the new group's, at epoch 0");
    }
    if (meta.isPresent() && meta.get().epoch() != 0) {
      throw ApiError.invalidField("meta.epoch", "a new channel's meta is for epoch 0");
    }
    String broken = Policies.breaks(policy, actor.user());
    if (broken != null) {
      throw new ApiError(
          403,
          "policy-violation",
          "You do not meet this channel's policy yourself",
          new JsonObject().put("rule", broken).put("userId", actor.user().id()));
    }
    return devices
        .byId(deviceId)
        .compose(
            device -> {
              if (device.isEmpty() || !device.get().active()) {
                throw new ApiError(
                    403,
                    "device-not-attested",
                    "This device needs a tier attestation from a coordinator first");
              }
              Channel channel =
                  new Channel(
                      groupId.channelIdHex(),
                      groupIdBytes,
                      kind,
                      policy,
                      List.of(actor.user().id()),
                      0,
                      List.of(new Leaf(actor.user().id(), deviceId, 0)),
                      0,
                      1,
                      groupInfo,
                      meta,
                      List.of(),
                      actor.user().id(),
                      clock.instant());
              return delivery.create(channel);
            })
        .map(Channel::toJson);
  }

  private static Optional<Channel.Meta> meta(JsonObject body) {
    Object raw = body.getValue("meta");
    if (raw == null) {
      return Optional.empty();
    }
    if (!(raw instanceof JsonObject json)) {
      throw ApiError.invalidField("meta", "meta must be an object {epoch, ciphertext}");
    }
    return Optional.of(
        new Channel.Meta(
            epochOf(json, "meta.epoch"), Base64Field.required(json, "ciphertext", MAX_META_BYTES)));
  }

  private static long epochOf(JsonObject body, String field) {
    String key = field.contains(".") ? field.substring(field.indexOf('.') + 1) : field;
    Object value = body.getValue(key);
    if (!(value instanceof Number n) || n.longValue() < 0 || n.doubleValue() != n.longValue()) {
      throw ApiError.invalidField(field, field + " must be a whole number >= 0");
    }
    return n.longValue();
  }

  private Future<JsonObject> list(RoutingContext ctx) {
    Actor actor = Actor.of(ctx);
    return delivery
        .channelsOf(actor.user().id())
        .map(
            found ->
                new JsonObject()
                    .put("items", new JsonArray(found.stream().map(Channel::toJson).toList())));
  }

  private static String channelId(RoutingContext ctx) {
    return Fields.id(ctx.pathParam("id"), "channel");
  }

  private Future<JsonObject> show(RoutingContext ctx) {
    Actor actor = Actor.of(ctx);
    return delivery.channelFor(channelId(ctx), actor.requireDevice()).map(Channel::toJson);
  }

  private Future<JsonObject> meta(RoutingContext ctx) {
    Actor actor = Actor.of(ctx);
    String deviceId = actor.requireDevice();
    Channel.Meta meta = meta(new JsonObject().put("meta", Bodies.json(ctx))).orElseThrow();
    return delivery
        .setMeta(new DeliveryService.Sender(actor.user(), deviceId), channelId(ctx), meta)
        .map(v -> new JsonObject().put("epoch", meta.epoch()));
  }

  private Future<JsonObject> groupInfo(RoutingContext ctx) {
    return delivery
        .groupInfo(channelId(ctx), Actor.of(ctx).requireDevice())
        .map(g -> new JsonObject().put("groupInfo", Base64Field.encode(g)));
  }

  private Future<JsonObject> commit(RoutingContext ctx) {
    Actor actor = Actor.of(ctx);
    String deviceId = actor.requireDevice();
    JsonObject body = Bodies.json(ctx);
    return commit(actor, deviceId, channelId(ctx), body)
        .map(a -> new JsonObject().put("seq", a.seq()).put("epoch", a.epoch()));
  }

  /** One reading of a commit request, shared by HTTP and the realtime {@code commit} frame. */
  public Future<DeliveryService.Accepted> commit(
      Actor actor, String deviceId, String channelId, JsonObject body) {
    long epoch = epochOf(body, "epoch");
    byte[] commit = Base64Field.required(body, "commit", MAX_MLS_BYTES);
    Optional<byte[]> welcome = Base64Field.optional(body, "welcome", MAX_MLS_BYTES);
    byte[] groupInfo = Base64Field.required(body, "groupInfo", MAX_MLS_BYTES);
    String clientMessageId =
        Fields.optionalText(body, "clientMessageId", 64)
            .map(ChannelRoutes::checkClientMessageId)
            .orElseGet(org.liaison.server.api.Ids::newId);
    return delivery.commit(
        new DeliveryService.Sender(actor.user(), deviceId),
        channelId,
        epoch,
        clientMessageId,
        commit,
        welcome,
        groupInfo);
  }

  /** One reading of a send request, shared by HTTP and the realtime {@code send} frame. */
  public Future<DeliveryService.Accepted> send(
      Actor actor, String deviceId, String channelId, JsonObject body) {
    long epoch = epochOf(body, "epoch");
    String clientMessageId = checkClientMessageId(Fields.requiredText(body, "clientMessageId", 64));
    byte[] ciphertext = Base64Field.required(body, "ciphertext", MAX_MLS_BYTES);
    return delivery.send(
        new DeliveryService.Sender(actor.user(), deviceId),
        channelId,
        epoch,
        clientMessageId,
        ciphertext);
  }

  private void send(RoutingContext ctx) {
    Handlers.run(
        ctx,
        c -> {
          Actor actor = Actor.of(c);
          return send(actor, actor.requireDevice(), channelId(c), Bodies.json(c));
        },
        accepted ->
            Bodies.send(
                ctx,
                accepted.duplicate() ? 200 : 201,
                new JsonObject()
                    .put("seq", accepted.seq())
                    .put("duplicate", accepted.duplicate())));
  }

  static String checkClientMessageId(String id) {
    if (!id.matches("^[A-Za-z0-9_-]{1,64}$")) {
      throw ApiError.invalidField(
          "clientMessageId", "clientMessageId must be 1..64 of A-Z a-z 0-9 _ -");
    }
    return id;
  }

  private Future<JsonObject> read(RoutingContext ctx) {
    Actor actor = Actor.of(ctx);
    long after = Fields.queryLong(ctx, "after", 0, 0, Long.MAX_VALUE);
    int limit = (int) Fields.queryLong(ctx, "limit", DEFAULT_PAGE, 1, MAX_PAGE);
    return delivery
        .read(channelId(ctx), actor.requireDevice(), after, limit)
        .map(
            page ->
                new JsonObject()
                    .put(
                        "items",
                        new JsonArray(page.items().stream().map(LogEntry::toJson).toList()))
                    .put("firstSeq", page.firstSeq())
                    .put("next", page.next()));
  }

  private Future<JsonObject> markRead(RoutingContext ctx) {
    Actor actor = Actor.of(ctx);
    String deviceId = actor.requireDevice();
    String channelId = channelId(ctx);
    long seq = epochOf(Bodies.json(ctx), "seq");
    return delivery
        .channelFor(channelId, deviceId)
        .compose(c -> delivery.markRead(deviceId, channelId, seq))
        .map(v -> new JsonObject().put("seq", seq));
  }

  /** Asks the other members to remove all of the caller's devices (MLS: nobody removes itself). */
  private Future<JsonObject> leave(RoutingContext ctx) {
    Actor actor = Actor.of(ctx);
    String deviceId = actor.requireDevice();
    return delivery
        .leave(new DeliveryService.Sender(actor.user(), deviceId), channelId(ctx))
        .map(Channel::toJson);
  }

  private Future<JsonObject> welcomes(RoutingContext ctx) {
    return delivery
        .welcomes(Actor.of(ctx).requireDevice())
        .map(
            items ->
                new JsonObject()
                    .put(
                        "items",
                        new JsonArray(
                            items.stream()
                                .map(org.liaison.server.delivery.Welcomes.Pending::toJson)
                                .toList())));
  }
}
