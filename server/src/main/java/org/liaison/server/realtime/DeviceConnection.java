package org.liaison.server.realtime;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.liaison.server.api.ApiError;
import org.liaison.server.api.Fields;
import org.liaison.server.api.TokenBucket;
import org.liaison.server.auth.Actor;
import org.liaison.server.broadcasts.Broadcasts;
import org.liaison.server.channels.Channel;
import org.liaison.server.delivery.AppendRequests;
import org.liaison.server.delivery.DeliveryService;
import org.liaison.server.delivery.LogEntry;
import org.liaison.server.documents.Documents;
import org.liaison.server.events.Events;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One device's WebSocket. For each of its channels it keeps a cursor and sends the log strictly in
 * order, without gaps: a live entry that follows the cursor goes out at once; anything else (a gap
 * left by another node, a socket that was full) is read back from the log. Nothing is queued per
 * connection, so a slow device costs no memory; one whose socket stays full is disconnected.
 */
final class DeviceConnection {
  private static final Logger LOG = LoggerFactory.getLogger(DeviceConnection.class);
  private static final int PAGE = 100;
  static final short CLOSE_POLICY = 1008;
  static final short CLOSE_TOO_BIG = 1009;
  static final short CLOSE_TRY_LATER = 1013;
  static final short CLOSE_REVOKED = 4401;

  private final Vertx vertx;
  private final ServerWebSocket ws;
  private final Actor actor;
  private final SocketCounts.Lease lease;
  private final String deviceId;
  private final DeliveryService.Sender sender;
  private final DeliveryService delivery;
  private final AppendRequests requests;
  private final Documents documents;
  private final Broadcasts broadcasts;
  private final RealtimeLimits limits;
  private final TokenBucket rate;
  private final Map<String, Feed> feeds = new HashMap<>();
  private final AckBuffer acks;
  private MessageConsumer<JsonObject> deviceEvents;
  private MessageConsumer<JsonObject> broadcastEvents;
  private Announcements announcements;
  private long slowTimer = -1;
  private boolean closed;

  DeviceConnection(
      Vertx vertx,
      ServerWebSocket ws,
      Actor actor,
      SocketCounts.Lease lease,
      DeliveryService delivery,
      AppendRequests requests,
      Documents documents,
      Broadcasts broadcasts,
      RealtimeLimits limits) {
    this.vertx = vertx;
    this.ws = ws;
    this.actor = actor;
    this.lease = lease;
    this.deviceId = actor.requireDevice();
    this.sender = new DeliveryService.Sender(actor.user(), deviceId);
    this.acks = new AckBuffer(vertx, delivery, deviceId);
    this.delivery = delivery;
    this.requests = requests;
    this.documents = documents;
    this.broadcasts = broadcasts;
    this.limits = limits;
    this.rate = new TokenBucket(limits.framesPerSecond(), limits.frameBurst(), System.nanoTime());
  }

  /** Refuses a socket that never became a device connection (bad or missing auth). */
  static void refuse(ServerWebSocket ws, Throwable cause) {
    ApiError error = cause instanceof ApiError api ? api : ApiError.internal();
    ws.writeTextMessage(Frames.error(error).encode())
        .onComplete(
            v -> ws.close(error.status() == 401 ? CLOSE_REVOKED : CLOSE_POLICY, error.code()));
  }

  void start() {
    ws.textMessageHandler(this::onFrame);
    ws.binaryMessageHandler(
        b -> sendError(new ApiError(400, "malformed-frame", "Send JSON text frames"), null));
    ws.closeHandler(v -> stop());
    ws.exceptionHandler(e -> LOG.debug("realtime socket error device={}", deviceId, e));
    ws.drainHandler(v -> drained());
    deviceEvents = vertx.eventBus().consumer(Events.device(deviceId), m -> onDeviceEvent(m.body()));
    announcements = new Announcements(vertx, actor, this::write, this::end);
    broadcastEvents =
        vertx
            .eventBus()
            .consumer(Events.broadcasts(actor.user().id()), m -> onBroadcastEvent(m.body()));
    Future<Long> broadcastHead = broadcasts.head();
    delivery
        .channelsOf(actor.user().id())
        .compose(
            all -> {
              List<Channel> mine =
                  all.stream().filter(c -> c.leafOf(deviceId).isPresent()).toList();
              return delivery
                  .cursors(deviceId, mine)
                  .compose(cursors -> broadcastHead.map(v -> Map.entry(mine, cursors)));
            })
        .onSuccess(
            loaded -> {
              if (closed) {
                return;
              }
              JsonArray channels = new JsonArray();
              for (Channel c : loaded.getKey()) {
                long cursor = loaded.getValue().get(c.id());
                channels.add(
                    new JsonObject()
                        .put("id", c.id())
                        .put("epoch", c.epoch())
                        .put("lastAck", cursor));
                open(c.id(), cursor);
              }
              write(Frames.ready(deviceId, channels).put("broadcastHead", broadcastHead.result()));
              feeds.values().forEach(this::pump);
            })
        .onFailure(
            e -> {
              LOG.error("realtime start failed device={}", deviceId, e);
              ws.close(CLOSE_TRY_LATER, "unavailable");
            });
  }

  private Feed open(String channelId, long cursor) {
    Feed feed = feeds.get(channelId);
    // A feed stopped by this device's removal is replaced when it is added again (a Welcome).
    if (feed != null && !feed.stopped) {
      return feed;
    }
    Feed created = new Feed(channelId, cursor);
    created.consumer =
        vertx
            .eventBus()
            .consumer(Events.channel(channelId), m -> onChannelEvent(created, m.body()));
    created.documents =
        vertx
            .eventBus()
            .consumer(Events.documents(channelId), m -> onDocumentEvent(created, m.body()));
    feeds.put(channelId, created);
    return created;
  }

  // ---- outgoing -----------------------------------------------------------------------------

  private void onChannelEvent(Feed feed, JsonObject event) {
    if (feed.stopped || closed) {
      return;
    }
    if (!event.containsKey("seq")) {
      write(event.copy().put("type", "channel-updated"));
      return;
    }
    long seq = event.getLong("seq");
    feed.heard(seq);
    if (seq <= feed.cursor) {
      return;
    }
    if (!feed.pumping && seq == feed.cursor + 1 && !ws.writeQueueFull()) {
      deliver(feed, LogEntry.Fanout.fromJson(event));
    } else {
      pump(feed);
    }
  }

  /**
   * Document frames go out as published: they carry no order of their own (a device that sees a gap
   * in a document's seqs reads it over HTTP). A device's own presence is not echoed to it. A full
   * socket gets no presence and updates without their bytes (it reads them once it drains), so a
   * slow device costs little memory, and is disconnected if it stays full.
   */
  private void onDocumentEvent(Feed feed, JsonObject frame) {
    if (feed.stopped || closed) {
      return;
    }
    String type = frame.getString("type", "");
    boolean presence = type.equals("document-presence");
    if (presence && deviceId.equals(frame.getString("deviceId"))) {
      return;
    }
    if (ws.writeQueueFull()) {
      armSlowConsumerTimer();
      if (presence) {
        return;
      }
      if (type.equals("document-updated") && frame.containsKey("update")) {
        JsonObject slim = frame.copy();
        slim.remove("update");
        write(slim);
        return;
      }
    }
    write(frame);
  }

  /**
   * Sends one entry and moves the cursor. The commit that removes this device is the last one of
   * the channel it gets, unless the same commit puts it back (its own resync).
   */
  private void deliver(Feed feed, LogEntry.Fanout entry) {
    if (!closed) {
      ws.writeTextMessage(entry.frame());
    }
    feed.cursor = entry.seq();
    if (entry.isCommit()
        && entry.removed().contains(deviceId)
        && !entry.added().contains(deviceId)) {
      feed.stop();
      write(
          new JsonObject()
              .put("type", "channel-updated")
              .put("channelId", feed.channelId)
              .put("reason", "removed"));
    }
  }

  /** Reads the log from the cursor until caught up, or until the socket is full. */
  private void pump(Feed feed) {
    if (feed.pumping || feed.stopped || closed) {
      return;
    }
    if (ws.writeQueueFull()) {
      armSlowConsumerTimer();
      return;
    }
    feed.pumping = true;
    delivery
        .entries(feed.channelId, feed.cursor + 1, PAGE)
        .onComplete(
            read -> {
              feed.pumping = false;
              if (read.failed() || feed.stopped || closed) {
                return;
              }
              List<LogEntry> page = read.result();
              for (LogEntry entry : page) {
                if (entry.seq() <= feed.cursor) {
                  continue; // written meanwhile by the live path
                }
                // Past the cursor only at the page's start, where retention removed the oldest.
                deliver(feed, entry.fanout());
                if (feed.stopped) {
                  return;
                }
                if (ws.writeQueueFull()) {
                  armSlowConsumerTimer();
                  return; // the drain handler resumes from the cursor
                }
              }
              if (page.size() == PAGE || feed.latestSeen > feed.cursor) {
                pump(feed);
              }
            });
  }

  private void drained() {
    if (slowTimer >= 0) {
      vertx.cancelTimer(slowTimer);
      slowTimer = -1;
    }
    feeds.values().forEach(this::pump);
  }

  private void armSlowConsumerTimer() {
    if (slowTimer < 0) {
      slowTimer =
          vertx.setTimer(
              limits.slowConsumerMillis(),
              t -> {
                slowTimer = -1;
                if (ws.writeQueueFull()) {
                  LOG.info("realtime slow consumer disconnected device={}", deviceId);
                  ws.close(CLOSE_TRY_LATER, "slow-consumer");
                }
              });
    }
  }

  private void onDeviceEvent(JsonObject event) {
    switch (event.getString("type", "")) {
      case "welcome" -> {
        String channelId = event.getString("channelId");
        Feed feed = open(channelId, event.getLong("seq"));
        write(event.copy());
        pump(feed);
      }
      case "channel-created" -> {
        // A channel this device created after connecting: follow it from the start.
        Feed feed = open(event.getString("channelId"), 0);
        write(
            new JsonObject()
                .put("type", "channel-updated")
                .put("channelId", feed.channelId)
                .put("reason", "created"));
        pump(feed);
      }
      case "revoked" -> end(new ApiError(401, "device-revoked", "This device was revoked"));
      default -> {}
    }
  }

  /**
   * Broadcast news for this user: a new broadcast names the wraps of the user's devices (this
   * device writes its own, if it has one); reminders, acknowledgements and the author's progress
   * are frames as they are. Anything else on this address is ignored.
   */
  private void onBroadcastEvent(JsonObject event) {
    if (closed) {
      return;
    }
    switch (event.getString("type", "")) {
      case "broadcast" -> {
        JsonObject devices = event.getJsonObject("devices");
        JsonObject wrap = devices == null ? null : devices.getJsonObject(deviceId);
        if (wrap == null) {
          return;
        }
        broadcasts
            .frame(event.getString("id"))
            .onSuccess(shared -> write(shared.copy().put("wrap", wrap.copy())))
            .onFailure(e -> LOG.warn("broadcast frame failed device={}", deviceId, e));
      }
      case "broadcast-reminder", "broadcast-acked", "broadcast-progress" -> write(event.copy());
      default -> {}
    }
  }

  /** A {@code broadcast-ack} frame: the same path as the HTTP acknowledgement. */
  private void acknowledgeBroadcast(JsonObject frame) {
    String id = Frames.text(frame, "id");
    if (!id.matches("^[0-9a-f]{32}$")) {
      throw ApiError.notFound("broadcast-not-found", "No such announcement");
    }
    long ackedAt = Fields.wholeNumber(frame, "ackedAt");
    byte[] signature =
        org.liaison.server.api.Base64Field.required(
            frame, "signature", org.liaison.crypto.Ed25519.SIGNATURE_LENGTH);
    broadcasts
        .acknowledge(new Broadcasts.Sender(actor.user(), deviceId), id, ackedAt, signature)
        .onSuccess(
            duplicate ->
                write(
                    new JsonObject()
                        .put("type", "broadcast-acked")
                        .put("id", id)
                        .put("duplicate", duplicate)))
        .onFailure(e -> sendError(e, null));
  }

  /** Tells the device why, then closes: it is no longer signed in. */
  private void end(ApiError why) {
    write(Frames.error(why));
    ws.close(CLOSE_REVOKED, why.code());
  }

  private void write(JsonObject frame) {
    if (!closed) {
      ws.writeTextMessage(frame.encode());
    }
  }

  // ---- incoming -----------------------------------------------------------------------------

  private void onFrame(String text) {
    if (limits.tooLong(text)) {
      ws.close(CLOSE_TOO_BIG, "frame-too-large");
      return;
    }
    if (rate.take(1, System.nanoTime()) > 0) {
      sendError(new ApiError(429, "rate-limited", "Too many frames; slow down"), null);
      return;
    }
    JsonObject frame;
    try {
      frame = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      sendError(new ApiError(400, "malformed-frame", "A frame must be one JSON object"), null);
      return;
    }
    String clientMessageId = frame.getValue("clientMessageId") instanceof String s ? s : null;
    try {
      Frames.refuseForgedSender(frame, sender);
      String type = frame.getValue("type") instanceof String t ? t : "";
      switch (type) {
        case "send" ->
            requests
                .send(sender, Frames.channelId(frame), frame)
                .onSuccess(a -> write(Frames.ack(clientMessageId, frame, a)))
                .onFailure(e -> sendError(e, clientMessageId));
        case "commit" ->
            requests
                .commit(sender, Frames.channelId(frame), frame)
                .onSuccess(a -> write(Frames.ack(clientMessageId, frame, a)))
                .onFailure(e -> sendError(e, clientMessageId));
        case "ack" -> acknowledge(Frames.channelId(frame), Fields.wholeNumber(frame, "seq"));
        case "sync" -> sync(Frames.channelId(frame), Fields.wholeNumber(frame, "after"));
        case "document-presence" -> presence(text, frame);
        case "broadcast-ack" -> acknowledgeBroadcast(frame);
        case "ping" -> write(Frames.pong());
        case "auth" -> throw new ApiError(400, "already-authenticated", "This socket is signed in");
        default ->
            throw new ApiError(
                400,
                "unknown-frame-type",
                "Unknown frame type; expected send, commit, ack, sync, document-presence,"
                    + " broadcast-ack or ping");
      }
    } catch (RuntimeException e) {
      sendError(e, clientMessageId);
    }
  }

  /**
   * Resumes a channel's delivery after {@code after}, as the device asks after a gap, within the
   * bounds {@link Feed#resumeAfter} keeps. Membership is checked now: a removed device's feed does
   * not start again.
   */
  private void sync(String channelId, long after) {
    Feed feed = feeds.get(channelId);
    if (feed == null || feed.stopped) {
      throw ApiError.channelNotFound();
    }
    delivery
        .channelFor(channelId, deviceId)
        .onSuccess(
            channel -> {
              if (feed.stopped || closed) {
                return;
              }
              long joinedAt =
                  channel.leaves().get(channel.leafOf(deviceId).orElseThrow()).addedAt();
              feed.resumeAfter(after, joinedAt, channel.seqHint());
              pump(feed);
            })
        .onFailure(
            e -> {
              if (e instanceof ApiError api && api.status() == 404) {
                feed.stop();
              }
              sendError(e, null);
            });
  }

  /**
   * Relays a document presence to the channel's other member devices, never stored. It counts
   * against the frame rate like any frame, and is small: a position, not content.
   */
  private void presence(String text, JsonObject frame) {
    if (text.length() > Frames.MAX_PRESENCE_BYTES) {
      throw new ApiError(
          413,
          "presence-too-large",
          "A presence frame must be at most " + Frames.MAX_PRESENCE_BYTES + " bytes");
    }
    String channelId = Frames.channelId(frame);
    Feed feed = feeds.get(channelId);
    if (feed == null || feed.stopped) {
      throw ApiError.channelNotFound();
    }
    documents
        .relayPresence(
            sender,
            channelId,
            Fields.id(Frames.text(frame, "documentId"), "document"),
            Fields.wholeNumber(frame, "generation"),
            Documents.presenceCiphertext(frame))
        .onFailure(e -> sendError(e, null));
  }

  private void acknowledge(String channelId, long seq) {
    if (!feeds.containsKey(channelId)) {
      throw ApiError.channelNotFound();
    }
    acks.acknowledge(channelId, seq);
  }

  private void sendError(Throwable cause, String clientMessageId) {
    ApiError error;
    if (cause instanceof ApiError api) {
      error = api;
    } else {
      LOG.error("realtime frame failed device={}", deviceId, cause);
      error = ApiError.internal();
    }
    JsonObject frame = Frames.error(error);
    if (clientMessageId != null) {
      frame.put("clientMessageId", clientMessageId);
    }
    write(frame);
  }

  // ---- end ----------------------------------------------------------------------------------

  private void stop() {
    if (closed) {
      return;
    }
    closed = true;
    lease.release();
    feeds.values().forEach(Feed::stop);
    deviceEvents.unregister();
    broadcastEvents.unregister();
    announcements.stop();
    if (slowTimer >= 0) {
      vertx.cancelTimer(slowTimer);
    }
    acks.flush();
  }
}
