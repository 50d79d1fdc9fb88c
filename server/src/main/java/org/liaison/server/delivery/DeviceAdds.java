package org.liaison.server.delivery;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.liaison.server.channels.Leaf;
import org.liaison.server.events.Events;

/**
 * Points a channel's members at a member's device that can now be added (confirmed, with key
 * packages: a restored browser, a second laptop), in every channel where that member has a leaf and
 * the device none. The add itself is the members' (an MLS commit only they can make); their clients
 * make it without anyone asking, so a member's new device needs one human step, the coordinator's
 * confirmation, and not a second one per channel. Live only: owners offline at the time add it with
 * "Add new devices", or at the device's next notice.
 */
final class DeviceAdds {
  private final ChannelStates states;
  private final ChannelNotices notices;

  DeviceAdds(Vertx vertx, ChannelStates states, ChannelNotices notices) {
    this.states = states;
    this.notices = notices;
    vertx
        .eventBus()
        .<JsonObject>localConsumer(
            Events.DEVICE_READY,
            m -> ready(m.body().getString("userId"), m.body().getString("deviceId")));
  }

  private void ready(String userId, String deviceId) {
    states.confined(
        () ->
            states
                .ofUser(userId)
                .map(
                    found -> {
                      found.stream()
                          .filter(s -> Leaf.anyOf(s.leaves(), userId))
                          .filter(
                              s ->
                                  s.leaves().stream()
                                      .noneMatch(l -> l != null && l.deviceId().equals(deviceId)))
                          .forEach(s -> notices.deviceReady(s.id(), userId, deviceId));
                      return null;
                    }));
  }
}
