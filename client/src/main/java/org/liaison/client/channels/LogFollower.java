package org.liaison.client.channels;

import static org.liaison.client.channels.DeviceContext.LOG;
import static org.liaison.client.channels.DeviceContext.done;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.List;

/**
 * Following a channel's log: entries are applied strictly in seq order ({@link ChannelLog} holds
 * the rules), whether they come page by page from the server or live over the realtime connection.
 * What retention removed is reported and skipped; when the session cannot follow any more, the
 * device rejoins by external commit and reads on from there. Runs in the channel's queue.
 */
final class LogFollower {
  private static final int PAGE = 500;

  private final DeviceContext ctx;
  private final ExternalRejoin rejoin;
  private final Acks acks;

  LogFollower(DeviceContext ctx, ExternalRejoin rejoin, Acks acks) {
    this.ctx = ctx;
    this.rejoin = rejoin;
    this.acks = acks;
  }

  /** Reads the channel's log from the last processed entry to the end. */
  Future<Void> catchUp(ChannelState ch) {
    if (!ch.active()) {
      return done();
    }
    long after = ch.log.processedSeq();
    return ctx.client
        .messages(ch.id, after, PAGE)
        .compose(
            page -> {
              JsonArray items = page.getJsonArray("items", new JsonArray());
              if (items.isEmpty()) {
                return done();
              }
              List<LogEntry> entries = new ArrayList<>();
              for (int i = 0; i < items.size(); i++) {
                entries.add(LogEntry.fromJson(ch.id, items.getJsonObject(i)));
              }
              LogEntry first = entries.get(0);
              if (first.seq() > after + 1) {
                ctx.emit(
                    new ChannelEvent.HistoryUnavailable(
                        ch.id,
                        after + 1,
                        first.seq() - 1,
                        ChannelEvent.HistoryUnavailable.Why.EXPIRED));
                if (!ch.log.canReadFrom(first)) {
                  // commits expired too: this session cannot follow any more
                  return resync(ch);
                }
                ch.log.skipTo(first.seq() - 1);
              }
              return apply(ch, entries).compose(v -> ch.active() ? catchUp(ch) : done());
            });
  }

  /** An entry pushed over the realtime connection; a gap before it is read from the server. */
  Future<Void> live(ChannelState ch, LogEntry entry) {
    if (!ch.active() || entry.seq() <= ch.log.processedSeq()) {
      // not joined yet (the join catches up) or already processed (a replay after reconnecting)
      return done();
    }
    if (entry.seq() > ch.log.processedSeq() + 1) {
      return catchUp(ch);
    }
    return apply(ch, List.of(entry));
  }

  /** Rejoins by external commit, then reads the log on from the rejoin. */
  Future<Void> resync(ChannelState ch) {
    return rejoin.rejoin(ch, 0).compose(rejoined -> rejoined ? catchUp(ch) : done());
  }

  /** Applies entries in order; on a lost session, resyncs; schedules the ack. */
  private Future<Void> apply(ChannelState ch, List<LogEntry> entries) {
    for (LogEntry entry : entries) {
      if (!ch.active()) {
        break;
      }
      ChannelLog.Outcome outcome = ch.log.apply(entry);
      outcome.message().ifPresent(ctx::deliver);
      outcome.event().ifPresent(ctx::emit);
    }
    if (ch.log != null && ch.log.state() == ChannelLog.State.LOST) {
      LOG.warn("channel {}: {}; resyncing", ch.id, ch.log.lostBecause());
      return resync(ch);
    }
    acks.schedule(ch);
    return done();
  }
}
