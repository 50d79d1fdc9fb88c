package org.liaison.server.delivery;

import io.vertx.core.Promise;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.liaison.server.channels.Channel;
import org.liaison.server.channels.Leaf;

/**
 * One channel as this node knows it: the log's head, epoch and leaves as of {@code head}, and the
 * appends waiting their turn. Touched only on the delivery service's context, so it needs no locks.
 */
final class ChannelState {
  private static final int RECENT_SENDS = 2048;

  final Channel created;
  long head;
  long epoch;
  List<Leaf> leaves;
  long firstSeq;
  byte[] groupInfo;
  Optional<Channel.Meta> meta;
  java.util.Set<String> leaving;
  long appendsSinceSnapshot;
  final ArrayDeque<Pending> pending = new ArrayDeque<>();
  boolean flushing;

  /** Recent (device, client message id) to seq: retried sends answered without a store read. */
  final Map<String, Long> recentSends =
      new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
          return size() > RECENT_SENDS;
        }
      };

  ChannelState(Channel channel) {
    this.created = channel;
    this.head = channel.seqHint();
    this.epoch = channel.epoch();
    this.leaves = channel.leaves();
    this.firstSeq = channel.firstSeq();
    this.groupInfo = channel.groupInfo();
    this.meta = channel.meta();
    this.leaving = new java.util.LinkedHashSet<>(channel.leaving());
  }

  String id() {
    return created.id();
  }

  int leafOf(String deviceId) {
    return CommitPolicy.indexOf(leaves, deviceId);
  }

  boolean idle() {
    return pending.isEmpty() && !flushing;
  }

  /** The channel as of this state, for responses and for the commit rules. */
  Channel view() {
    return new Channel(
        created.id(),
        created.groupId(),
        created.kind(),
        created.policy(),
        created.owners(),
        epoch,
        java.util.Collections.unmodifiableList(new java.util.ArrayList<>(leaves)),
        head,
        firstSeq,
        groupInfo,
        meta,
        List.copyOf(leaving),
        created.createdBy(),
        created.createdAt());
  }

  /** Applies an entry this node did not write (found while catching up from the log). */
  void apply(LogEntry entry) {
    if (entry.seq() != head + 1) {
      throw new IllegalStateException("log applied out of order");
    }
    head = entry.seq();
    if (entry.kind() == LogEntry.Kind.COMMIT) {
      epoch = entry.epoch() + 1;
      leaves = Membership.replay(leaves, entry);
    }
  }

  static String sendKey(String deviceId, String clientMessageId) {
    return deviceId + "/" + clientMessageId;
  }

  /** An append waiting for its turn: a message, or a commit whose rules already passed. */
  static final class Pending {
    final DeliveryService.Sender sender;
    final long epoch;
    final String clientMessageId;
    final byte[] payload;
    final CommitPolicy.Change change; // null for messages
    final byte[] groupInfo;
    final Optional<byte[]> welcome;
    final Promise<DeliveryService.Accepted> promise = Promise.promise();

    Pending(
        DeliveryService.Sender sender,
        long epoch,
        String clientMessageId,
        byte[] payload,
        CommitPolicy.Change change,
        byte[] groupInfo,
        Optional<byte[]> welcome) {
      this.sender = sender;
      this.epoch = epoch;
      this.clientMessageId = clientMessageId;
      this.payload = payload;
      this.change = change;
      this.groupInfo = groupInfo;
      this.welcome = welcome;
    }

    boolean isCommit() {
      return change != null;
    }

    String key() {
      return sendKey(sender.deviceId(), clientMessageId);
    }

    LogEntry messageEntry(String channelId, long seq, Instant now) {
      return new LogEntry(
          channelId,
          seq,
          LogEntry.Kind.MESSAGE,
          epoch,
          sender.user().id(),
          sender.deviceId(),
          now,
          payload,
          clientMessageId,
          List.of(),
          List.of());
    }
  }
}
