package org.liaison.server.delivery;

import io.vertx.core.Future;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.liaison.server.channels.Channel;
import org.liaison.server.channels.Leaf;

/** Reading a channel's log: catch-up pages for members, and where each device's delivery starts. */
final class LogReads {
  private static final long PAGE_BYTES = 4L << 20;

  private final ChannelStates states;
  private final ChannelLog log;
  private final ReadMarkers markers;

  LogReads(ChannelStates states, ChannelLog log, ReadMarkers markers) {
    this.states = states;
    this.log = log;
    this.markers = markers;
  }

  /**
   * Entries after {@code after} for a member device, never from before the device joined (it could
   * not decrypt them) nor before retention's first kept seq.
   */
  Future<DeliveryService.Page> page(String channelId, String deviceId, long after, int limit) {
    return states.confined(
        () ->
            states
                .member(channelId, deviceId)
                .compose(
                    s -> {
                      Leaf leaf = s.leaves().get(s.leafOf(deviceId));
                      long from = Math.max(Math.max(after + 1, leaf.addedAt() + 1), s.firstSeq());
                      return log.range(channelId, from, limit)
                          .map(
                              found -> {
                                List<LogEntry> items = withinBudget(found);
                                return new DeliveryService.Page(
                                    items,
                                    s.firstSeq(),
                                    items.isEmpty() ? from - 1 : items.get(items.size() - 1).seq());
                              });
                    }));
  }

  /**
   * A page stops once its ciphertext passes {@link #PAGE_BYTES} (at least one entry), so 500
   * entries of 256 KiB never become one 128 MiB response; {@code next} says where to go on.
   */
  private static List<LogEntry> withinBudget(List<LogEntry> found) {
    long bytes = 0;
    int count = 0;
    for (LogEntry entry : found) {
      if (count > 0 && bytes + entry.size() > PAGE_BYTES) {
        break;
      }
      bytes += entry.size();
      count++;
    }
    return found.subList(0, count);
  }

  /** For realtime connections, which keep their own cursor and membership. */
  Future<List<LogEntry>> entries(String channelId, long from, int limit) {
    return states.confined(
        () ->
            states
                .state(channelId)
                .compose(s -> log.range(channelId, Math.max(from, s.firstSeq()), limit)));
  }

  /** Where a device's delivery of a channel starts: after its last ack, or after it joined. */
  Future<Map<String, Long>> cursors(String deviceId, List<Channel> of) {
    return markers
        .of(deviceId, of.stream().map(Channel::id).toList())
        .map(
            acked -> {
              Map<String, Long> cursors = new LinkedHashMap<>();
              for (Channel c : of) {
                long joinedAt =
                    c.leafOf(deviceId).map(i -> c.leaves().get(i).addedAt()).orElse(c.seqHint());
                // An ack past the head (any seq can be acked) must not skip a coming commit.
                long ack = Math.min(acked.getOrDefault(c.id(), 0L), c.seqHint());
                cursors.put(c.id(), Math.max(joinedAt, ack));
              }
              return cursors;
            });
  }
}
