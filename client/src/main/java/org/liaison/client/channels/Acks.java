package org.liaison.client.channels;

import io.vertx.core.json.JsonObject;

/**
 * Acknowledging processed entries (the server's read marker): over the realtime connection when
 * open, else over HTTP; batched by {@link LiaisonDevice.Options#ackDelay} so a burst of entries
 * costs one ack.
 */
final class Acks {
  private final DeviceContext ctx;
  private final RealtimeConnection connection;

  Acks(DeviceContext ctx, RealtimeConnection connection) {
    this.ctx = ctx;
    this.connection = connection;
  }

  /** Acks after the delay, unless an ack is already due or there is nothing new. */
  void schedule(ChannelState ch) {
    if (ch.ackTimer || !ch.active() || ch.log.processedSeq() <= ch.ackedSeq) {
      return;
    }
    ch.ackTimer = true;
    ctx.after(
        Math.max(1, ctx.options.ackDelay().toMillis()),
        () -> {
          ch.ackTimer = false;
          now(ch);
        });
  }

  void now(ChannelState ch) {
    if (!ch.active() || ch.log.processedSeq() <= ch.ackedSeq) {
      return;
    }
    long seq = ch.log.processedSeq();
    ch.ackedSeq = seq;
    JsonObject ack = new JsonObject().put("type", "ack").put("channelId", ch.id).put("seq", seq);
    if (!connection.send(ack)) {
      ctx.client.markRead(ch.id, seq).onFailure(e -> ctx.warn(ch, "read marker", e));
    }
  }
}
