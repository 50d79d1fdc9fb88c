package org.liaison.server.realtime;

import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

/** One channel's delivery to one device connection: where it stands, and what it has heard of. */
final class Feed {
  final String channelId;

  /** The last seq sent to the device; entries go out strictly after it, without gaps. */
  long cursor;

  /** The highest seq announced on the bus, so a read from the log knows to go on. */
  long latestSeen;

  boolean pumping;
  boolean stopped;
  MessageConsumer<JsonObject> consumer;

  /** The channel's document frames, followed while the device is a member, like its log. */
  MessageConsumer<JsonObject> documents;

  Feed(String channelId, long cursor) {
    this.channelId = channelId;
    this.cursor = cursor;
    this.latestSeen = cursor;
  }

  /** Another seq was announced. */
  void heard(long seq) {
    latestSeen = Math.max(latestSeen, seq);
  }

  /**
   * Resumes after {@code after}, kept between the entry that added the device (nothing before it is
   * for the device) and the channel's head (past it, the commit that removes the device would be
   * skipped and the feed would go on).
   */
  void resumeAfter(long after, long joinedAt, long head) {
    cursor = Math.max(joinedAt, Math.min(after, head));
    heard(cursor);
  }

  void stop() {
    stopped = true;
    if (consumer != null) {
      consumer.unregister();
    }
    if (documents != null) {
      documents.unregister();
    }
  }
}
