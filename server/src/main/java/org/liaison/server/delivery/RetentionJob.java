package org.liaison.server.delivery;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes messages older than their channel's retention, periodically. TTL indexes are not used:
 * the embedded store does not honour them, and deleting by {@code _id} keeps the log dense from its
 * first kept entry, so clients see expired history as a gap at the front.
 */
public final class RetentionJob {
  private static final Logger LOG = LoggerFactory.getLogger(RetentionJob.class);
  private final Vertx vertx;
  private final DeliveryService delivery;
  private final Clock clock;
  private long timer = -1;
  private boolean running;

  public RetentionJob(Vertx vertx, DeliveryService delivery, Clock clock) {
    this.vertx = vertx;
    this.delivery = delivery;
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
    return delivery
        .channelIds()
        .compose(ids -> expire(ids, 0, 0))
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

  private Future<Integer> expire(java.util.List<String> ids, int index, int deleted) {
    if (index == ids.size()) {
      return Future.succeededFuture(deleted);
    }
    return delivery
        .expire(ids.get(index), clock.instant())
        .compose(n -> expire(ids, index + 1, deleted + n));
  }
}
