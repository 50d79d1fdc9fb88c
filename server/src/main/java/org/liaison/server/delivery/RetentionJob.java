package org.liaison.server.delivery;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.liaison.server.channels.ChannelRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes log entries older than their channel's retention, periodically, oldest first and never
 * the newest (its id is how nodes find the head). TTL indexes are not used: the embedded store does
 * not honour them, and deleting by {@code _id} keeps the log dense from its first kept entry, so
 * clients see expired history as a gap at the front.
 */
public final class RetentionJob {
  private static final Logger LOG = LoggerFactory.getLogger(RetentionJob.class);
  private final Vertx vertx;
  private final ChannelStates states;
  private final ChannelLog log;
  private final ChannelRepository channels;
  private final Clock clock;
  private long timer = -1;
  private boolean running;

  public RetentionJob(Vertx vertx, DeliveryService delivery, Clock clock) {
    this.vertx = vertx;
    this.states = delivery.states();
    this.log = delivery.log();
    this.channels = delivery.channels();
    this.clock = clock;
  }

  public void start(long intervalMillis) {
    timer = vertx.setPeriodic(intervalMillis, t -> runOnce());
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** One pass over every channel, one at a time; returns how many entries were deleted. */
  public Future<Integer> runOnce() {
    if (running) {
      return Future.succeededFuture(0);
    }
    running = true;
    return channels
        .allIds()
        .compose(ids -> expireEach(ids, 0, 0))
        .onComplete(
            done -> {
              running = false;
              if (done.failed()) {
                LOG.warn("retention pass failed", done.cause());
              } else if (done.result() > 0) {
                LOG.info("retention deleted entries={}", done.result());
              }
            });
  }

  private Future<Integer> expireEach(List<String> ids, int index, int deleted) {
    if (index == ids.size()) {
      return Future.succeededFuture(deleted);
    }
    return expire(ids.get(index), clock.instant())
        .compose(n -> expireEach(ids, index + 1, deleted + n));
  }

  /** Deletes one channel's expired entries; returns how many. */
  Future<Integer> expire(String channelId, Instant now) {
    return states.confined(
        () ->
            states
                .state(channelId)
                .compose(
                    s -> {
                      Instant cutoff =
                          now.minus(Duration.ofDays(s.created().policy().retentionDays()));
                      // The snapshot must cover what is deleted, or a replay would miss commits.
                      return channels
                          .saveSnapshot(s.id(), s.epoch(), s.leaves(), s.head(), Optional.empty())
                          .compose(v -> expireFrom(s, cutoff, 0));
                    }));
  }

  private Future<Integer> expireFrom(ChannelState s, Instant cutoff, int deletedSoFar) {
    return log.range(s.id(), s.firstSeq(), AppendPipeline.MAX_BATCH)
        .compose(
            page -> {
              List<Long> old =
                  page.stream()
                      .takeWhile(e -> e.sentAt().isBefore(cutoff) && e.seq() < s.head())
                      .map(LogEntry::seq)
                      .toList();
              if (old.isEmpty()) {
                return Future.succeededFuture(deletedSoFar);
              }
              long next = old.get(old.size() - 1) + 1;
              return log.delete(s.id(), old)
                  .compose(v -> channels.setFirstSeq(s.id(), next))
                  .compose(
                      v -> {
                        s.expiredBefore(next);
                        int total = deletedSoFar + old.size();
                        return old.size() == page.size() && page.size() == AppendPipeline.MAX_BATCH
                            ? expireFrom(s, cutoff, total)
                            : Future.succeededFuture(total);
                      });
            });
  }
}
