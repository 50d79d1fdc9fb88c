package org.liaison.server.delivery;

import io.vertx.core.Future;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.liaison.server.channels.ChannelRepository;
import org.liaison.server.channels.Leaf;
import org.liaison.server.keydirectory.KeyDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an accepted commit changes outside the log: the channel snapshot, who is in which channel,
 * finished leave requests and due removals, the Welcome for new devices, and spent key packages.
 * All best-effort: the commit is in the log already, and a node that loads the channel replays the
 * log past the snapshot.
 */
final class CommitRecords {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryService.class);

  private final ChannelRepository channels;
  private final Welcomes welcomes;
  private final KeyDirectory keys;
  private final ChannelNotices notices;

  CommitRecords(
      ChannelRepository channels, Welcomes welcomes, KeyDirectory keys, ChannelNotices notices) {
    this.channels = channels;
    this.welcomes = welcomes;
    this.keys = keys;
    this.notices = notices;
  }

  /** The leaves before the commit, to tell who joined or left the channel as a user. */
  record Before(List<Leaf> leaves) {
    static Before of(ChannelState s) {
      return new Before(s.leaves());
    }

    boolean hadUser(String userId) {
      return Leaf.anyOf(leaves, userId);
    }
  }

  /** Writes the records for {@code entry}, already applied to {@code s}; never fails. */
  Future<Void> write(
      ChannelState s,
      Before before,
      LogEntry entry,
      Membership.Applied applied,
      ChannelState.Pending p) {
    Set<String> joined =
        applied.added().stream()
            .map(LogEntry.LeafChange::userId)
            .filter(u -> !before.hadUser(u))
            .collect(Collectors.toSet());
    Set<String> left =
        applied.removed().stream()
            .map(LogEntry.LeafChange::userId)
            .filter(u -> !s.hasUser(u))
            .collect(Collectors.toSet());
    // Leave requests and due removals this commit carried out are done with.
    Future<Void> removalsDone =
        s.removalsSettled()
            ? channels.setRemovals(s.id(), s.leaving(), s.removalsDue())
            : Future.succeededFuture();
    List<KeyDirectory.StoredPackage> used =
        p.change.joiners().stream()
            .map(CommitPolicy.Joiner::keyPackage)
            .filter(Objects::nonNull)
            .toList();
    List<String> newDevices =
        p.change.joiners().stream()
            .filter(j -> j.keyPackage() != null)
            .map(CommitPolicy.Joiner::deviceId)
            .toList();
    Future<Void> welcomed =
        p.welcome.isEmpty() || newDevices.isEmpty()
            ? Future.succeededFuture()
            : deliverWelcome(
                new Welcomes.Pending(s.id(), entry.seq(), s.epoch(), p.welcome.get()), newDevices);
    return Future.join(
            channels.saveSnapshot(
                s.id(), s.epoch(), s.leaves(), entry.seq(), Optional.of(p.groupInfo)),
            channels.join(joined, s.id()),
            channels.leave(left, s.id()),
            welcomed,
            removalsDone,
            keys.consume(used))
        .onFailure(
            e -> LOG.warn("commit side records incomplete channel={} seq={}", s.id(), entry.seq()))
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }

  /** A snapshot of the state as it is, so that loading the channel replays a short log. */
  void snapshot(ChannelState s) {
    channels.saveSnapshot(s.id(), s.epoch(), s.leaves(), s.head(), Optional.empty());
  }

  private Future<Void> deliverWelcome(Welcomes.Pending welcome, List<String> deviceIds) {
    return welcomes.store(welcome, deviceIds).onSuccess(v -> notices.welcomed(welcome, deviceIds));
  }
}
