package org.liaison.server.delivery;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.liaison.server.events.Events;

/**
 * What the delivery service says on the event bus, in one place: log entries to a channel's
 * followers, channel updates to its members, new channels and Welcomes to single devices. The
 * realtime connections (on whichever node holds a device's socket) turn these into frames.
 */
final class ChannelNotices {
  private final EventBus bus;

  ChannelNotices(Vertx vertx) {
    this.bus = vertx.eventBus();
  }

  /** An accepted entry, to every connection following the channel. */
  void appended(LogEntry entry) {
    bus.publish(Events.channel(entry.channelId()), entry.fanout().toJson());
  }

  /** The creator's connection starts following its new channel. */
  void created(String channelId, String creatorDeviceId) {
    bus.publish(
        Events.device(creatorDeviceId),
        new JsonObject().put("type", "channel-created").put("channelId", channelId));
  }

  /** Each new device learns it can join from the Welcome. */
  void welcomed(Welcomes.Pending welcome, List<String> deviceIds) {
    deviceIds.forEach(d -> bus.publish(Events.device(d), welcome.toJson().put("type", "welcome")));
  }

  void metaChanged(String channelId) {
    updated(channelId, new JsonObject().put("reason", "meta"));
  }

  /** Any member may commit the leaver's removal (MLS does not let it remove itself). */
  void leaveRequested(String channelId, String userId) {
    updated(channelId, new JsonObject().put("reason", "leave-requested").put("userId", userId));
  }

  /** Members should remove a revoked device's leaf. */
  void deviceRevoked(String channelId, String userId, String deviceId) {
    updated(
        channelId,
        new JsonObject()
            .put("reason", "device-revoked")
            .put("userId", userId)
            .put("deviceId", deviceId));
  }

  /** Members should remove a suspended member's devices. */
  void memberSuspended(String channelId, String userId) {
    updated(channelId, new JsonObject().put("reason", "member-suspended").put("userId", userId));
  }

  /** Members should remove a member who no longer meets the channel's policy. */
  void tierLowered(String channelId, String userId) {
    updated(channelId, new JsonObject().put("reason", "tier-lowered").put("userId", userId));
  }

  /** Members (owners) should add a member's device that can now be added. */
  void deviceReady(String channelId, String userId, String deviceId) {
    updated(
        channelId,
        new JsonObject()
            .put("reason", "device-ready")
            .put("userId", userId)
            .put("deviceId", deviceId));
  }

  private void updated(String channelId, JsonObject update) {
    bus.publish(
        Events.channel(channelId),
        update.put("type", "channel-updated").put("channelId", channelId));
  }
}
