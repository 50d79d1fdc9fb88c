package org.liaison.server.devices;

import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import org.liaison.server.events.Events;

/**
 * Tells a device's owner, on every connection they have open, that one of their devices changed
 * status ({@code device-updated}): confirmed by a coordinator, or back to pending after a tier or
 * role change. Their clients show it at once and offer what a confirmed device may do.
 */
final class DeviceNotices {
  private DeviceNotices() {}

  static void statusChanged(EventBus events, Device device, DeviceStatus now) {
    events.publish(
        Events.user(device.userId()),
        new JsonObject()
            .put("type", "device-updated")
            .put("deviceId", device.id())
            .put("status", now.wire()));
  }
}
