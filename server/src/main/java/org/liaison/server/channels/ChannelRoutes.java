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
import org.liaison.server.api.ApiError;
import org.liaison.server.api.Base64Field;
import org.liaison.server.api.Fields;
import org.liaison.server.auth.Actor;
import org.liaison.server.delivery.AppendRequests;
import org.liaison.server.delivery.DeliveryService;
import org.liaison.server.delivery.LogEntry;
import org.liaison.server.devices.DeviceRepository;
import org.liaison.server.http.Bodies;
import org.liaison.server.http.Handlers;
import org.liaison.server.http.RateLimit;

/** {@code /channels} and {@code /welcomes}: the delivery service over HTTP. */
public final class ChannelRoutes {
  private static final int MAX_META_BYTES = 4096;
  private static final int DEFAULT_PAGE = 100;
  private static final int MAX_PAGE = 500;

  private final DeliveryService delivery;
  private final AppendRequests appends;
  private final DeviceRepository devices;
  private final Clock clock;
  private final RateLimit appendRate;

  /**
   * @param appendRate messages and commits per device over HTTP (realtime sends have their own)
   */
  public ChannelRoutes(
      DeliveryService delivery,
      AppendRequests appends,
      DeviceRepository devices,
      Clock clock,
      RateLimit appendRate) {
    this.delivery = delivery;
    this.appends = appends;
    this.devices = devices;
    this.clock = clock;
    this.appendRate = appendRate;
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
        .handler(this::limitAppends)
        .handler(Handlers.json(201, this::commit));
    api.post("/channels/:id/messages")
        .handler(authenticated)
        .handler(this::limitAppends)
        .handler(ctx -> send(ctx));
    api.get("/channels/:id/messages")
        .handler(authenticated)
        .handler(Handlers.json(200, this::read));
    api.put("/channels/:id/read")
        .handler(authenticated)
        .handler(Handlers.json(200, this::markRead));
    api.post("/channels/:id/leave").handler(authenticated).handler(Handlers.json(200, this::leave));
    api.get("/welcomes").handler(authenticated).handler(Handlers.json(200, this::welcomes));
  }

  /** Every append is a store write and a fan-out: a device gets its rate, then waits. */
  private void limitAppends(RoutingContext ctx) {
    try {
      appendRate.take(Actor.of(ctx).requireDevice());
    } catch (ApiError refused) {
      ctx.fail(refused);
      return;
    }
    ctx.next();
  }

  private Future<JsonObject> create(RoutingContext ctx) {
    Actor actor = Actor.of(ctx);
    String deviceId = actor.requireDevice();
    JsonObject body = Bodies.json(ctx);
    byte[] groupIdBytes = Base64Field.required(body, "groupId", 1024);
    ChannelKind kind = Fields.oneOf(body, "kind", ChannelKind::parse, ChannelKind.CREATABLE);
    if (kind == ChannelKind.ANNOUNCEMENT) {
      throw ApiError.invalidField(
          "kind",
          "New announcement channels are no longer made: use broadcasts to announce; kind must be"
              + " one of "
              + ChannelKind.CREATABLE);
    }
    ChannelPolicy policy = Policies.fromJson(body);
    byte[] groupInfo = Base64Field.required(body, "groupInfo", AppendRequests.MAX_MLS_BYTES);
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
    HandshakeInspector.InspectedGroupInfo info = DeliveryService.verifiedGroupInfo(groupInfo);
    if (info.epoch() != 0 || !java.util.Arrays.equals(info.groupId(), groupIdBytes)) {
      throw ApiError.malformedMls("groupInfo must be the new group's, at epoch 0");
    }
    // The creator's device is leaf 0, and signs the GroupInfo that later joiners rejoin from.
    if (info.signerLeaf() != 0
        || !info.signerCredential().userId().equals(actor.user().id())
        || !info.signerCredential().deviceId().equals(deviceId)) {
      throw new ApiError(
          400,
          "malformed-mls",
          "groupInfo must be signed by the creating device's leaf",
          new JsonObject().put("field", "groupInfo").put("reason", "GROUP_INFO_SIGNER"));
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
            Fields.wholeNumber(json, "meta.epoch"),
            Base64Field.required(json, "ciphertext", MAX_META_BYTES)));
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
    Channel.Meta meta = meta(new JsonObject().put("meta", Bodies.json(ctx))).orElseThrow();
    return delivery
        .setMeta(sender(ctx), channelId(ctx), meta)
        .map(v -> new JsonObject().put("epoch", meta.epoch()));
  }

  private Future<JsonObject> groupInfo(RoutingContext ctx) {
    return delivery
        .groupInfo(channelId(ctx), Actor.of(ctx).requireDevice())
        .map(g -> new JsonObject().put("groupInfo", Base64Field.encode(g)));
  }

  private Future<JsonObject> commit(RoutingContext ctx) {
    return appends
        .commit(sender(ctx), channelId(ctx), Bodies.json(ctx))
        .map(a -> new JsonObject().put("seq", a.seq()).put("epoch", a.epoch()));
  }

  /** 201 for a new message, 200 with {@code duplicate: true} for a retry of one. */
  private void send(RoutingContext ctx) {
    Handlers.run(
        ctx,
        c -> appends.send(sender(c), channelId(c), Bodies.json(c)),
        accepted ->
            Bodies.send(
                ctx,
                accepted.duplicate() ? 200 : 201,
                new JsonObject()
                    .put("seq", accepted.seq())
                    .put("duplicate", accepted.duplicate())));
  }

  private static DeliveryService.Sender sender(RoutingContext ctx) {
    Actor actor = Actor.of(ctx);
    return new DeliveryService.Sender(actor.user(), actor.requireDevice());
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
    long seq = Fields.wholeNumber(Bodies.json(ctx), "seq");
    return delivery
        .channelFor(channelId, deviceId)
        .compose(c -> delivery.markRead(deviceId, channelId, seq))
        .map(v -> new JsonObject().put("seq", seq));
  }

  /** Asks the other members to remove all of the caller's devices (MLS: nobody removes itself). */
  private Future<JsonObject> leave(RoutingContext ctx) {
    return delivery.leave(sender(ctx), channelId(ctx)).map(Channel::toJson);
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
