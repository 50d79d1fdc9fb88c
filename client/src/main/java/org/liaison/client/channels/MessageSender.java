package org.liaison.client.channels;

import static org.liaison.client.channels.DeviceContext.wrongEpoch;

import io.vertx.core.Future;
import org.liaison.client.LiaisonException;
import org.liaison.client.channels.LiaisonDevice.Sent;
import org.liaison.crypto.mls.ChannelSession;

/**
 * Sending messages. A send that lost a race with a commit is encrypted again under the new epoch;
 * one whose connection failed is sent again as the same bytes with the same client message id, so
 * the server stores it once whichever way the first try went. Runs in the channel's queue.
 */
final class MessageSender {
  private final DeviceContext ctx;
  private final LogFollower follower;

  MessageSender(DeviceContext ctx, LogFollower follower) {
    this.ctx = ctx;
    this.follower = follower;
  }

  Future<Sent> sendText(ChannelState ch, String text, String clientMessageId) {
    byte[] payload = TextPayload.text(text, ctx.options.clock().instant()).encode();
    return post(ch, clientMessageId, payload, -1, null, 0);
  }

  /** {@code ciphertext} (sealed in {@code epoch}) is resent as is while the epoch holds. */
  private Future<Sent> post(
      ChannelState ch, String cmid, byte[] payload, long epoch, byte[] ciphertext, int attempt) {
    ChannelSession session = ch.activeSession();
    if (ciphertext == null || epoch != session.epoch()) {
      epoch = session.epoch();
      ciphertext = session.protect(new byte[0], payload);
    }
    long sentEpoch = epoch;
    byte[] sent = ciphertext;
    return ctx.client
        .postMessage(ch.id, sentEpoch, cmid, sent)
        .map(ok -> new Sent(ch.id, ok.getLong("seq"), cmid))
        .recover(
            e -> {
              if (attempt + 1 >= ctx.options.maxAttempts()) {
                return Future.failedFuture(e);
              }
              if (wrongEpoch(e)) {
                return follower
                    .catchUp(ch)
                    .compose(v -> post(ch, cmid, payload, -1, null, attempt + 1));
              }
              if (!(e instanceof LiaisonException)) {
                // the connection failed: the server may or may not have stored it; the same id
                // and bytes make the retry safe either way
                return ctx.later(attempt)
                    .compose(v -> post(ch, cmid, payload, sentEpoch, sent, attempt + 1));
              }
              return Future.failedFuture(e);
            });
  }
}
