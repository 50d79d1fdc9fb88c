package org.liaison.server.broadcasts;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.liaison.server.api.Base64Field;
import org.liaison.server.events.Events;

/**
 * What broadcasts say on the event bus, on each user's own broadcast address: a new broadcast (one
 * message per recipient user naming their devices' wraps; each connection writes the frame for its
 * own device), reminders, a user's acknowledgement, and the author's progress (at most one per
 * second per broadcast, per node).
 */
final class BroadcastNotices {
  /** Users published to per turn of the event loop. */
  static final int SLICE = 500;

  private static final long PROGRESS_MILLIS = 1000;

  private final Vertx vertx;
  private final EventBus bus;
  private final Map<String, Long> lastProgress = new HashMap<>();
  private final Map<String, JsonObject> pendingProgress = new HashMap<>();

  BroadcastNotices(Vertx vertx) {
    this.vertx = vertx;
    this.bus = vertx.eventBus();
  }

  /** {@code broadcast} to every recipient user, in slices of {@link #SLICE} per turn. */
  void published(
      long n, String id, List<BroadcastRepository.RecipientUser> recipients, Context context) {
    List<BroadcastRepository.RecipientUser> all = new ArrayList<>(recipients);
    publishFrom(n, id, all, 0, context);
  }

  private void publishFrom(
      long n, String id, List<BroadcastRepository.RecipientUser> all, int from, Context context) {
    int to = Math.min(all.size(), from + SLICE);
    for (int i = from; i < to; i++) {
      BroadcastRepository.RecipientUser user = all.get(i);
      JsonObject devices = new JsonObject();
      user.devices().forEach((deviceId, wrap) -> devices.put(deviceId, wrapJson(wrap)));
      bus.publish(
          Events.broadcasts(user.userId()),
          new JsonObject()
              .put("type", "broadcast")
              .put("n", n)
              .put("id", id)
              .put("devices", devices));
    }
    if (to < all.size()) {
      context.runOnContext(v -> publishFrom(n, id, all, to, context));
    }
  }

  static JsonObject wrapJson(BroadcastRepository.Wrap wrap) {
    return new JsonObject()
        .put("enc", Base64Field.encode(wrap.enc()))
        .put("key", Base64Field.encode(wrap.key()));
  }

  void reminder(String userId, String id, BroadcastRecord.Reminder reminder) {
    bus.publish(
        Events.broadcasts(userId),
        new JsonObject()
            .put("type", "broadcast-reminder")
            .put("id", id)
            .put("n", reminder.n())
            .put("at", reminder.at())
            .put("signature", Base64Field.encode(reminder.signature())));
  }

  /** The user acknowledged on some device: their other devices mark it. */
  void acked(String userId, String id) {
    bus.publish(
        Events.broadcasts(userId), new JsonObject().put("type", "broadcast-acked").put("id", id));
  }

  /** {@code broadcast-progress} to the author's devices, at most once a second per broadcast. */
  synchronized void progress(String authorUserId, String id, int recipients, int acknowledged) {
    JsonObject frame =
        new JsonObject()
            .put("type", "broadcast-progress")
            .put("id", id)
            .put("recipients", recipients)
            .put("acknowledged", acknowledged);
    long now = System.currentTimeMillis();
    Long last = lastProgress.get(id);
    if (last == null || now - last >= PROGRESS_MILLIS) {
      lastProgress.put(id, now);
      bus.publish(Events.broadcasts(authorUserId), frame);
      return;
    }
    boolean scheduled = pendingProgress.containsKey(id);
    pendingProgress.put(id, frame);
    if (!scheduled) {
      vertx.setTimer(
          Math.max(1, PROGRESS_MILLIS - (now - last)),
          t -> {
            JsonObject latest;
            synchronized (this) {
              latest = pendingProgress.remove(id);
            }
            if (latest != null) {
              synchronized (this) {
                lastProgress.put(id, System.currentTimeMillis());
              }
              bus.publish(Events.broadcasts(authorUserId), latest);
            }
          });
    }
    if (lastProgress.size() > 10_000) {
      lastProgress.clear();
    }
  }
}
