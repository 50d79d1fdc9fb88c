package org.liaison.client.channels;

import io.vertx.core.Future;
import java.util.Optional;
import java.util.function.Supplier;
import org.liaison.crypto.mls.ChannelGroupId;
import org.liaison.crypto.mls.ChannelSession;

/**
 * What this run of the device knows of one channel. Everything about a channel runs in order on its
 * queue ({@link #serial}), so a commit in flight and entries arriving meanwhile never interleave.
 * Touched only on the device's context.
 */
final class ChannelState {
  final String id;

  /** Progress through the log; null while this run holds no MLS state for the channel. */
  ChannelLog log;

  /** From the server's record, checked against itself; never changes once known. */
  ChannelGroupId groupId;

  String kind;
  Optional<ChannelMeta> meta = Optional.empty();

  /** The read marker the server had when the realtime connection became ready. */
  long serverAck;

  /** The last seq this device acknowledged (or rejoined at). */
  long ackedSeq;

  boolean ackTimer;

  /** It cannot rejoin (it is the only member): not retried on every reconnect. */
  boolean stranded;

  private Future<Void> queue = Future.succeededFuture();

  ChannelState(String id) {
    this.id = id;
  }

  boolean active() {
    return log != null && log.state() == ChannelLog.State.ACTIVE;
  }

  /** The session to commit or send with; refused when this device is not following. */
  ChannelSession activeSession() {
    if (!active()) {
      throw new IllegalStateException(
          "this device is not following channel "
              + id
              + (log == null ? "" : " (" + log.state().name().toLowerCase() + ")"));
    }
    return log.session();
  }

  /** Runs {@code task} after everything queued on this channel, whether that failed or not. */
  <T> Future<T> serial(Supplier<Future<T>> task) {
    Future<T> result = queue.transform(ignored -> DeviceContext.safely(task));
    queue = result.transform(ignored -> DeviceContext.done());
    return result;
  }
}
