package org.liaison.server.delivery;

import io.vertx.core.Promise;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.liaison.server.channels.Channel;
import org.liaison.server.channels.Leaf;
import org.liaison.server.channels.RemovalDue;

/**
 * One channel as this node knows it: the log's head, epoch and leaves as of {@code head}, and the
 * appends waiting their turn. Touched only on the delivery context ({@link ChannelStates}), so it
 * needs no locks; every change to it goes through a method here, named for the event it records.
 */
final class ChannelState {
  private static final int RECENT_SENDS = 2048;
  private static final int SNAPSHOT_EVERY = 1000;

  private final Channel created;
  private long head;
  private long epoch;
  private List<Leaf> leaves;
  private long firstSeq;
  private byte[] groupInfo;
  private Optional<Channel.Meta> meta;
  private final Set<String> leaving;
  private final Set<RemovalDue> removalsDue;
  private long appendsSinceSnapshot;

  /** Appends waiting their turn; {@link AppendPipeline} drains them. */
  final ArrayDeque<Pending> pending = new ArrayDeque<>();

  boolean flushing;

  /** Recent (device, client message id) to seq: retried sends answered without a store read. */
  private final Map<String, Long> recentSends =
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
    this.leaving = new LinkedHashSet<>(channel.leaving());
    this.removalsDue = new LinkedHashSet<>(channel.removalsDue());
  }

  String id() {
    return created.id();
  }

  Channel created() {
    return created;
  }

  long head() {
    return head;
  }

  long epoch() {
    return epoch;
  }

  List<Leaf> leaves() {
    return leaves;
  }

  long firstSeq() {
    return firstSeq;
  }

  byte[] groupInfo() {
    return groupInfo;
  }

  Set<String> leaving() {
    return Collections.unmodifiableSet(leaving);
  }

  Set<RemovalDue> removalsDue() {
    return Collections.unmodifiableSet(removalsDue);
  }

  boolean hasUser(String userId) {
    return Leaf.anyOf(leaves, userId);
  }

  int leafOf(String deviceId) {
    return CommitPolicy.indexOf(leaves, deviceId);
  }

  /** The seq an earlier append with this key got, if this node still remembers it. */
  Optional<Long> recentSend(String key) {
    return Optional.ofNullable(recentSends.get(key));
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
        Collections.unmodifiableList(new ArrayList<>(leaves)),
        head,
        firstSeq,
        groupInfo,
        meta,
        List.copyOf(leaving),
        List.copyOf(removalsDue),
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
      removalsSettled();
    }
  }

  /**
   * This node appended a message at {@code seq}; true when a snapshot is due, which keeps the
   * replay a loading node does short.
   */
  boolean messageAppended(long seq, String key) {
    head = seq;
    recentSends.put(key, seq);
    if (++appendsSinceSnapshot >= SNAPSHOT_EVERY) {
      appendsSinceSnapshot = 0;
      return true;
    }
    return false;
  }

  /** This node appended a commit at {@code seq}, which opened the next epoch. */
  void commitAppended(
      long seq, long commitEpoch, List<Leaf> newLeaves, byte[] newGroupInfo, String key) {
    head = seq;
    epoch = commitEpoch + 1;
    leaves = newLeaves;
    groupInfo = newGroupInfo;
    appendsSinceSnapshot = 0;
    recentSends.put(key, seq);
  }

  /** A retry found its original in the log. */
  void rememberSend(String key, long seq) {
    recentSends.put(key, seq);
  }

  void metaSet(Channel.Meta newMeta) {
    meta = Optional.of(newMeta);
  }

  /** The user asks to leave: a leave request, and the removal of all their leaves is due. */
  void leaveRequested(String userId) {
    leaving.add(userId);
    removalDue(RemovalDue.ofUser(userId, RemovalDue.Reason.LEAVE_REQUESTED));
  }

  /** True when the removal was not known yet and a leaf it covers is still there. */
  boolean removalDue(RemovalDue due) {
    return due.pendingIn(leaves) && removalsDue.add(due);
  }

  /**
   * Forgets the leave requests and due removals a commit carried out (no leaf of theirs is left);
   * true when any was.
   */
  boolean removalsSettled() {
    boolean left = leaving.removeIf(u -> !hasUser(u));
    boolean removed = removalsDue.removeIf(due -> !due.pendingIn(leaves));
    return left || removed;
  }

  /** Retention deleted every entry before {@code seq}. */
  void expiredBefore(long seq) {
    firstSeq = seq;
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

    private Pending(
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

    static Pending message(
        DeliveryService.Sender sender, long epoch, String clientMessageId, byte[] ciphertext) {
      return new Pending(sender, epoch, clientMessageId, ciphertext, null, null, Optional.empty());
    }

    static Pending commit(
        DeliveryService.Sender sender,
        long epoch,
        String clientMessageId,
        byte[] commit,
        CommitPolicy.Change change,
        byte[] groupInfo,
        Optional<byte[]> welcome) {
      return new Pending(sender, epoch, clientMessageId, commit, change, groupInfo, welcome);
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
