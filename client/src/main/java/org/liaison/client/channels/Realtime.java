package org.liaison.client.channels;

import static org.liaison.client.channels.DeviceContext.LOG;
import static org.liaison.client.channels.DeviceContext.done;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the realtime connection brings, frame by frame: on {@code ready}, the channels this device
 * is in (and Welcomes waiting for it), with the network's revocation list and the removals due read
 * again ({@link TrustUpkeep}); then live log entries, Welcomes, channel updates and network
 * updates, each channel's handled in its queue. Runs on the device's context.
 */
final class Realtime {
  private final DeviceContext ctx;
  private final DeviceRegistration device;
  private final RealtimeConnection connection;
  private final LogFollower follower;
  private final WelcomeJoin welcomes;
  private final TrustUpkeep upkeep;
  private final ChannelDirectory directory;
  private final KeyPackages keyPackages;

  Realtime(
      DeviceContext ctx,
      DeviceRegistration device,
      RealtimeConnection connection,
      LogFollower follower,
      WelcomeJoin welcomes,
      TrustUpkeep upkeep,
      ChannelDirectory directory,
      KeyPackages keyPackages) {
    this.ctx = ctx;
    this.device = device;
    this.connection = connection;
    this.follower = follower;
    this.welcomes = welcomes;
    this.upkeep = upkeep;
    this.directory = directory;
    this.keyPackages = keyPackages;
  }

  /**
   * Opens the connection unless open; completes once the server said {@code ready} and this device
   * has joined from waiting Welcomes and resynced the channels it holds no state for.
   */
  Future<Void> connect() {
    device.requireKeys();
    if (connection.isOpen()) {
      return Future.succeededFuture();
    }
    return device.checkNetwork().compose(v -> connection.open(this::onFrame));
  }

  private void onFrame(String text) {
    JsonObject frame;
    try {
      frame = new JsonObject(text);
    } catch (RuntimeException e) {
      LOG.warn("unreadable realtime frame");
      return;
    }
    String type = frame.getString("type", "");
    String channelId = frame.getString("channelId");
    switch (type) {
      case "ready" -> {
        Promise<Void> whenReady = connection.readiness();
        onReady(frame)
            .onComplete(
                r -> {
                  if (r.succeeded()) {
                    whenReady.tryComplete();
                  } else {
                    whenReady.tryFail(r.cause());
                  }
                });
      }
      case "message", "handshake" -> {
        if (channelId == null) {
          return;
        }
        LogEntry entry;
        try {
          JsonObject body = frame.getJsonObject("entry", frame);
          entry = LogEntry.fromJson(channelId, body);
        } catch (RuntimeException e) {
          LOG.warn("unreadable {} frame: {}", type, e.getMessage());
          return;
        }
        ChannelState ch = ctx.channel(channelId);
        ch.serial(() -> follower.live(ch, entry)).onFailure(e -> ctx.warn(ch, "live entry", e));
      }
      case "welcome" -> {
        ChannelState ch = ctx.channel(channelId);
        welcomes.join(ch, frame).onFailure(e -> ctx.warn(ch, "welcome", e));
      }
      case "channel-updated" -> {
        if (channelId == null) {
          return;
        }
        onChannelUpdated(ctx.channel(channelId), frame);
      }
      case "network-updated" ->
          upkeep
              .networkUpdated(frame.getValue("reason") instanceof String r ? r : "")
              .onFailure(e -> LOG.warn("network update: {}", e.toString()));
      case "error" -> LOG.warn("realtime error: {}", frame.encode());
      default -> {
        if (type.startsWith("document-")) {
          ctx.documentFrame(frame);
        }
        // ack, pong: nothing to do
      }
    }
  }

  private void onChannelUpdated(ChannelState ch, JsonObject frame) {
    switch (frame.getString("reason", "")) {
      case "removed", "created" -> {
        // removed: the handshake that removed this device came first; created: by this device
      }
      default -> upkeep.channelUpdated(ch, frame); // meta, announced removals, anything new
    }
  }

  /**
   * The server lists this device's channels with their read markers: a channel followed here but
   * not listed was left while offline; the rest are joined from waiting Welcomes or resynced.
   */
  private Future<Void> onReady(JsonObject frame) {
    String deviceId = frame.getString("deviceId");
    if (!device.requireKeys().deviceId().equals(deviceId)) {
      return Future.failedFuture(
          new UntrustedServerException("realtime connection is for device " + deviceId));
    }
    Set<String> listed = new LinkedHashSet<>();
    JsonArray listedChannels = frame.getJsonArray("channels", new JsonArray());
    for (int i = 0; i < listedChannels.size(); i++) {
      JsonObject c = listedChannels.getJsonObject(i);
      ChannelState ch = ctx.channel(c.getString("id"));
      ch.serverAck = c.getLong("lastAck", 0L);
      ch.ackedSeq = Math.max(ch.ackedSeq, ch.serverAck);
      listed.add(ch.id);
    }
    // channels followed here but not listed: this device left them while offline
    for (ChannelState ch : ctx.channels()) {
      if (ch.active() && !listed.contains(ch.id)) {
        ch.log = null;
        ctx.emit(new ChannelEvent.Removed(ch.id, -1));
      }
    }
    return upkeep
        .beforeChannels()
        .compose(revocationsGrew -> joinAndRejoin(listed).map(v -> revocationsGrew))
        .compose(upkeep::afterChannels)
        .compose(
            v -> {
              keyPackages.topUp().onFailure(e -> LOG.warn("key package top-up", e));
              return done();
            });
  }

  /**
   * Joins from waiting Welcomes and rejoins the listed channels this run holds no state for (not
   * while the server names no network root: they wait for it).
   */
  private Future<Void> joinAndRejoin(Set<String> listed) {
    return ctx.client
        .welcomes()
        .compose(
            welcomeList -> {
              List<Future<Void>> work = new ArrayList<>();
              for (int i = 0; i < welcomeList.size(); i++) {
                JsonObject w = welcomeList.getJsonObject(i);
                ChannelState ch = ctx.channel(w.getString("channelId"));
                work.add(welcomes.join(ch, w).recover(e -> ctx.warned(ch, "welcome", e)));
              }
              for (String id : listed) {
                ChannelState ch = ctx.existing(id);
                work.add(
                    ch.serial(
                            () ->
                                ch.log == null
                                        && !ch.stranded
                                        && ctx.options.followAll()
                                        && upkeep.rejoinAllowed()
                                    ? follower.resync(ch)
                                    : done())
                        .recover(e -> ctx.warned(ch, "resync", e)));
              }
              return Future.join(work).<Void>mapEmpty();
            });
  }
}
