package org.liaison.server.devices;

import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import org.liaison.server.accounts.User;
import org.liaison.server.events.Events;

/**
 * Tells a device's owner, on every connection they have open, that one of their devices changed
 * status ({@code device-updated}): confirmed by a coordinator, or back to pending after a tier or
 * role change. Their clients show it at once and offer what a confirmed device may do. And tells
 * those who confirm devices that someone's wait ({@code confirmations-needed}).
 */
final class DeviceNotices {
  private DeviceNotices() {}

  /** Why a person's devices wait for a coordinator: a new device, or a change to the person. */
  enum Waiting {
    NEW_DEVICE("new-device"),
    CHANGED("changed");

    final String wire;

    Waiting(String wire) {
      this.wire = wire;
    }
  }

  /** To the coordinators of the user's city and the network admins, on their open sockets. */
  static void confirmationsNeeded(EventBus events, User user, Waiting why) {
    JsonObject frame =
        new JsonObject()
            .put("type", "confirmations-needed")
            .put("userId", user.id())
            .put("cityId", user.cityId())
            .put("reason", why.wire);
    events.publish(Events.ADMINS, frame);
    if (user.cityId() != null) {
      events.publish(Events.coordinators(user.cityId()), frame.copy());
    }
  }

  static void statusChanged(EventBus events, Device device, DeviceStatus now) {
    events.publish(
        Events.user(device.userId()),
        new JsonObject()
            .put("type", "device-updated")
            .put("deviceId", device.id())
            .put("status", now.wire()));
  }
}
