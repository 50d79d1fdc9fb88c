package org.liaison.server.realtime;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;
import org.liaison.server.delivery.DeliveryService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection's acknowledgements, saved at most once a second: they only ever move forward, so the
 * newest per channel is all that needs writing.
 */
final class AckBuffer {
  private static final Logger LOG = LoggerFactory.getLogger(DeviceConnection.class);
  private static final long FLUSH_MILLIS = 1000;

  private final Vertx vertx;
  private final DeliveryService delivery;
  private final String deviceId;
  private final Map<String, Long> unsaved = new HashMap<>();
  private long timer = -1;

  AckBuffer(Vertx vertx, DeliveryService delivery, String deviceId) {
    this.vertx = vertx;
    this.delivery = delivery;
    this.deviceId = deviceId;
  }

  void acknowledge(String channelId, long seq) {
    unsaved.merge(channelId, seq, Math::max);
    if (timer < 0) {
      timer = vertx.setTimer(FLUSH_MILLIS, t -> save());
    }
  }

  /** Saves what is waiting now (the connection is closing). */
  void flush() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      save();
    }
  }

  private Future<Void> save() {
    timer = -1;
    Map<String, Long> pending = new HashMap<>(unsaved);
    unsaved.clear();
    return Future.join(
            pending.entrySet().stream()
                .map(e -> delivery.markRead(deviceId, e.getKey(), e.getValue()))
                .toList())
        .onFailure(e -> LOG.warn("saving acks failed device={}", deviceId))
        .mapEmpty();
  }
}
