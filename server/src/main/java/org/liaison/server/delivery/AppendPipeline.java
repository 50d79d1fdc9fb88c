package org.liaison.server.delivery;

import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.liaison.server.api.ApiError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a channel's appends into its log, one round at a time: a batch of up to {@link #MAX_BATCH}
 * messages in one insert, or a single commit. The log's {@code _id} (channel, seq) is the
 * compare-and-set: a node writes seq N only when it knows every entry before N, so a duplicate key
 * means either a retried send (answered with its original seq) or another node's append (this node
 * reads forward and tries again). Runs on the {@link ChannelStates} context.
 */
final class AppendPipeline {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryService.class);
  static final int MAX_BATCH = 200;

  private final ChannelStates states;
  private final ChannelLog log;
  private final CommitRecords records;
  private final ChannelNotices notices;
  private final Clock clock;

  AppendPipeline(
      ChannelStates states,
      ChannelLog log,
      CommitRecords records,
      ChannelNotices notices,
      Clock clock) {
    this.states = states;
    this.log = log;
    this.records = records;
    this.notices = notices;
    this.clock = clock;
  }

  /** Queues an append behind the channel's others; completes once it is in the log. */
  Future<DeliveryService.Accepted> enqueue(ChannelState s, ChannelState.Pending pending) {
    s.pending.add(pending);
    flush(s);
    return pending.promise.future();
  }

  /** Writes what is queued: a batch of messages, or one commit, then the next round. */
  private void flush(ChannelState s) {
    if (s.flushing || s.pending.isEmpty()) {
      return;
    }
    s.flushing = true;
    Future<Void> round =
        s.pending.peek().isCommit() ? writeCommit(s, s.pending.poll()) : writeMessages(s);
    round.onComplete(
        done -> {
          if (done.failed()) {
            LOG.error("channel append failed channel={}", s.id(), done.cause());
            // The store failed: the queued appends fail too, and the state is reloaded next time.
            while (!s.pending.isEmpty()) {
              s.pending.poll().promise.tryFail(done.cause());
            }
            states.forget(s.id());
          }
          s.flushing = false;
          flush(s);
        });
  }

  private Future<Void> writeMessages(ChannelState s) {
    List<ChannelState.Pending> batch = nextBatch(s);
    if (batch.isEmpty()) {
      return Future.succeededFuture();
    }
    Instant now = clock.instant();
    List<LogEntry> entries = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      entries.add(batch.get(i).messageEntry(s.id(), s.head() + 1 + i, now));
    }
    return log.insert(entries)
        .compose(
            outcome -> {
              for (int i = 0; i < outcome.inserted(); i++) {
                messageAppended(s, entries.get(i), batch.get(i));
              }
              if (!outcome.duplicateKey()) {
                return Future.succeededFuture();
              }
              List<ChannelState.Pending> rest = batch.subList(outcome.inserted(), batch.size());
              return resolveCollision(s, rest.get(0))
                  .map(
                      retried -> {
                        requeue(s, retried ? rest.subList(1, rest.size()) : rest);
                        return null;
                      });
            });
  }

  /**
   * Takes the messages at the front of the queue that can go into this round, answering at once
   * those that need no write: a sender no longer in the channel, a remembered retry, a stale epoch.
   */
  private static List<ChannelState.Pending> nextBatch(ChannelState s) {
    List<ChannelState.Pending> batch = new ArrayList<>();
    Set<String> keysInBatch = new HashSet<>();
    while (!s.pending.isEmpty() && !s.pending.peek().isCommit() && batch.size() < MAX_BATCH) {
      ChannelState.Pending p = s.pending.poll();
      Optional<Long> original = s.recentSend(p.key());
      if (s.leafOf(p.sender.deviceId()) < 0) {
        p.promise.fail(ApiError.channelNotFound());
      } else if (original.isPresent()) {
        p.promise.complete(new DeliveryService.Accepted(original.get(), p.epoch, true));
      } else if (p.epoch != s.epoch()) {
        p.promise.fail(ApiError.wrongEpoch(s.epoch()));
      } else if (!keysInBatch.add(p.key())) {
        // The same send twice in one batch: let the second wait for the first.
        s.pending.addFirst(p);
        break;
      } else {
        batch.add(p);
      }
    }
    return batch;
  }

  private static void requeue(ChannelState s, List<ChannelState.Pending> appends) {
    for (int i = appends.size() - 1; i >= 0; i--) {
      s.pending.addFirst(appends.get(i));
    }
  }

  /**
   * An insert hit a duplicate key: either this append is a retry (same client message id), which is
   * answered with the original seq (true), or another node took the seq, and this node reads the
   * log forward before trying again (false).
   */
  private Future<Boolean> resolveCollision(ChannelState s, ChannelState.Pending collided) {
    return log.byClientMessageId(s.id(), collided.sender.deviceId(), collided.clientMessageId)
        .compose(
            original -> {
              if (original.isPresent()) {
                LogEntry first = original.get();
                s.rememberSend(collided.key(), first.seq());
                collided.promise.complete(
                    new DeliveryService.Accepted(
                        first.seq(),
                        first.kind() == LogEntry.Kind.COMMIT ? first.epoch() + 1 : first.epoch(),
                        true));
                return Future.succeededFuture(true);
              }
              return states.catchUp(s).map(false);
            });
  }

  private Future<Void> writeCommit(ChannelState s, ChannelState.Pending p) {
    Optional<Long> original = s.recentSend(p.key());
    if (original.isPresent()) {
      p.promise.complete(new DeliveryService.Accepted(original.get(), s.epoch(), true));
      return Future.succeededFuture();
    }
    if (p.epoch != s.epoch()) {
      p.promise.fail(ApiError.wrongEpoch(s.epoch()));
      return Future.succeededFuture();
    }
    // Same epoch as when the rules ran, so the same leaves: the check still holds.
    long seq = s.head() + 1;
    Membership.Applied applied = Membership.apply(s.leaves(), p.change, seq);
    LogEntry entry =
        new LogEntry(
            s.id(),
            seq,
            LogEntry.Kind.COMMIT,
            p.epoch,
            p.sender.user().id(),
            p.sender.deviceId(),
            clock.instant(),
            p.payload,
            p.clientMessageId,
            applied.added(),
            applied.removed());
    return log.insert(List.of(entry))
        .compose(
            outcome -> {
              if (outcome.inserted() == 1) {
                return commitAppended(s, entry, applied, p);
              }
              return resolveCollision(s, p)
                  .map(
                      retried -> {
                        if (!retried) {
                          s.pending.addFirst(p); // checked again against the newer state
                        }
                        return null;
                      });
            });
  }

  private Future<Void> commitAppended(
      ChannelState s, LogEntry entry, Membership.Applied applied, ChannelState.Pending p) {
    CommitRecords.Before before = CommitRecords.Before.of(s);
    s.commitAppended(entry.seq(), entry.epoch(), applied.leaves(), p.groupInfo, p.key());
    notices.appended(entry);
    // The commit is in the log whatever happens next: the records it implies are best-effort.
    return records
        .write(s, before, entry, applied, p)
        .onComplete(
            v -> p.promise.complete(new DeliveryService.Accepted(entry.seq(), s.epoch(), false)));
  }

  private void messageAppended(ChannelState s, LogEntry entry, ChannelState.Pending p) {
    boolean snapshotDue = s.messageAppended(entry.seq(), p.key());
    notices.appended(entry);
    p.promise.complete(new DeliveryService.Accepted(entry.seq(), entry.epoch(), false));
    if (snapshotDue) {
      records.snapshot(s);
    }
  }
}
