package org.liaison.server.delivery;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.liaison.crypto.mls.HandshakeInspector;
import org.liaison.crypto.mls.MlsException;
import org.liaison.server.accounts.User;
import org.liaison.server.accounts.UserRepository;
import org.liaison.server.api.ApiError;
import org.liaison.server.channels.Channel;
import org.liaison.server.channels.ChannelRepository;
import org.liaison.server.channels.Leaf;
import org.liaison.server.devices.Device;
import org.liaison.server.devices.DeviceRepository;
import org.liaison.server.events.Events;
import org.liaison.server.keydirectory.KeyDirectory;
import org.liaison.server.store.Mongo;
import org.liaison.server.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MLS delivery service: orders each channel's handshakes and messages into one dense log,
 * enforces one commit per epoch and the channel policy, and fans accepted entries out on the event
 * bus.
 *
 * <p>Sequence numbers cost no counter round-trip: an append inserts {@code channel:head+1}; the
 * {@code _id} is the compare-and-set. A node only writes seq N when it knows every entry before N,
 * so its epoch and membership checks saw the true state; a duplicate key means another node
 * appended first, and this node reads the log forward and checks again. Per channel, appends on
 * this node are serialised and batched, so one node never races itself.
 *
 * <p>All state is confined to one Vert.x context; public methods hop onto it.
 */
public final class DeliveryService {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryService.class);
  private static final int MAX_BATCH = 200;
  private static final int CATCH_UP_PAGE = 500;
  private static final int MAX_STATES = 20_000;
  private static final int SNAPSHOT_EVERY = 1000;
  private static final long PAGE_BYTES = 4L << 20;

  private final Vertx vertx;
  private final Context context;
  private final ChannelRepository channels;
  private final ChannelLog log;
  private final Welcomes welcomes;
  private final ReadMarkers markers;
  private final KeyDirectory keys;
  private final DeviceRepository devices;
  private final UserRepository users;
  private final Clock clock;
  private final LinkedHashMap<String, Future<ChannelState>> states =
      new LinkedHashMap<>(1024, 0.75f, true);

  /** Who appends: the signed-in user and the device its session is bound to. */
  public record Sender(User user, String deviceId) {}

  /** An accepted append: its seq, the epoch after it, and whether it was a retry. */
  public record Accepted(long seq, long epoch, boolean duplicate) {}

  /** A catch-up page. */
  public record Page(List<LogEntry> items, long firstSeq, long next) {}

  public DeliveryService(
      Vertx vertx,
      Store store,
      ChannelRepository channels,
      KeyDirectory keys,
      DeviceRepository devices,
      UserRepository users,
      Clock clock,
      int cacheEntries,
      long cacheBytes) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.channels = channels;
    this.log = new ChannelLog(store, cacheEntries, cacheBytes);
    this.welcomes = new Welcomes(store);
    this.markers = new ReadMarkers(store);
    this.keys = keys;
    this.devices = devices;
    this.users = users;
    this.clock = clock;
    // One node handles each revocation (send, not publish), and tells the channels' members.
    vertx
        .eventBus()
        .<JsonObject>localConsumer(
            Events.DEVICE_REVOKED,
            m -> deviceRevoked(m.body().getString("userId"), m.body().getString("deviceId")));
    vertx
        .eventBus()
        .<JsonObject>localConsumer(
            Events.USER_SUSPENDED, m -> userSuspended(m.body().getString("userId")));
  }

  public Future<Void> createIndexes() {
    return log.createIndexes();
  }

  // ---- channels ---------------------------------------------------------------------------

  /** Records a new channel whose only member is the creator's device, at epoch 0. */
  public Future<Channel> create(Channel channel) {
    return confined(
        () ->
            channels
                .insert(channel)
                .recover(
                    e ->
                        Future.failedFuture(
                            Mongo.isDuplicateKey(e)
                                ? ApiError.conflict("channel-exists", "That channel already exists")
                                : e))
                .compose(c -> channels.join(List.of(channel.createdBy()), channel.id()).map(v -> c))
                .onSuccess(
                    c ->
                        vertx
                            .eventBus()
                            .publish(
                                Events.device(c.leaves().get(0).deviceId()),
                                new JsonObject()
                                    .put("type", "channel-created")
                                    .put("channelId", c.id()))));
  }

  /** The channel as its member device sees it; 404 for anyone else. */
  public Future<Channel> channelFor(String channelId, String deviceId) {
    return confined(() -> member(channelId, deviceId).map(ChannelState::view));
  }

  /** The channels in which this user has a device. */
  public Future<List<Channel>> channelsOf(String userId) {
    return confined(
        () ->
            channels
                .channelsOf(userId)
                .compose(
                    ids -> {
                      List<Future<ChannelState>> loaded =
                          ids.stream().map(id -> state(id).otherwiseEmpty()).toList();
                      return Future.join(new ArrayList<>(loaded))
                          .transform(
                              done ->
                                  Future.succeededFuture(
                                      loaded.stream()
                                          .filter(Future::succeeded)
                                          .map(Future::result)
                                          .filter(s -> s != null)
                                          .map(ChannelState::view)
                                          .filter(c -> c.hasUser(userId))
                                          .toList()));
                    }));
  }

  public Future<Void> setMeta(Sender sender, String channelId, Channel.Meta meta) {
    return confined(
        () ->
            member(channelId, sender.deviceId())
                .compose(
                    s -> {
                      if (meta.epoch() != s.epoch) {
                        throw wrongEpoch(s.epoch);
                      }
                      s.meta = Optional.of(meta);
                      return channels.setMeta(channelId, meta);
                    })
                .onSuccess(v -> notifyMembers(channelId, new JsonObject().put("reason", "meta"))));
  }

  /**
   * Records that the sender's user wants to leave and tells the members: any of them may commit the
   * removal of the leaver's devices (MLS does not let a member commit its own removal).
   */
  public Future<Channel> leave(Sender sender, String channelId) {
    return confined(
        () ->
            member(channelId, sender.deviceId())
                .compose(
                    s -> {
                      s.leaving.add(sender.user().id());
                      return channels.setLeaving(channelId, s.leaving).map(v -> s.view());
                    })
                .onSuccess(
                    c ->
                        notifyMembers(
                            channelId,
                            new JsonObject()
                                .put("reason", "leave-requested")
                                .put("userId", sender.user().id()))));
  }

  /** Members should remove a revoked device's leaf: tells every channel it is in. */
  private void deviceRevoked(String userId, String deviceId) {
    notifyChannelsOf(
        userId,
        c -> c.leafOf(deviceId).isPresent(),
        new JsonObject()
            .put("reason", "device-revoked")
            .put("userId", userId)
            .put("deviceId", deviceId));
  }

  /** Members should remove a suspended member's devices: tells every channel they are in. */
  private void userSuspended(String userId) {
    notifyChannelsOf(
        userId,
        c -> true,
        new JsonObject().put("reason", "member-suspended").put("userId", userId));
  }

  private void notifyChannelsOf(
      String userId, java.util.function.Predicate<Channel> which, JsonObject update) {
    confined(
        () ->
            channelsOf(userId)
                .onSuccess(
                    found ->
                        found.stream()
                            .filter(which)
                            .forEach(c -> notifyMembers(c.id(), update.copy()))));
  }

  private void notifyMembers(String channelId, JsonObject update) {
    vertx
        .eventBus()
        .publish(
            Events.channel(channelId),
            update.put("type", "channel-updated").put("channelId", channelId));
  }

  public Future<byte[]> groupInfo(String channelId, String deviceId) {
    return confined(() -> member(channelId, deviceId).map(s -> s.groupInfo));
  }

  // ---- appends ----------------------------------------------------------------------------

  /** An application message (MLS PrivateMessage) for the channel's current epoch. */
  public Future<Accepted> send(
      Sender sender, String channelId, long epoch, String clientMessageId, byte[] ciphertext) {
    HandshakeInspector.InspectedApplication message =
        inspect(() -> HandshakeInspector.application(ciphertext));
    if (message.epoch() != epoch) {
      throw ApiError.invalidField("epoch", "epoch does not match the message's own epoch");
    }
    return confined(
        () ->
            member(channelId, sender.deviceId())
                .compose(
                    s -> {
                      requireGroup(s, message.groupId());
                      Long original =
                          s.recentSends.get(
                              ChannelState.sendKey(sender.deviceId(), clientMessageId));
                      if (original != null) {
                        return Future.succeededFuture(new Accepted(original, epoch, true));
                      }
                      if (epoch != s.epoch) {
                        throw wrongEpoch(s.epoch);
                      }
                      return enqueue(
                          s,
                          new ChannelState.Pending(
                              sender,
                              epoch,
                              clientMessageId,
                              ciphertext,
                              null,
                              null,
                              Optional.empty()));
                    }));
  }

  /**
   * A handshake: an MLS PublicMessage commit for the current epoch, with the GroupInfo of the epoch
   * it opens and, when it adds members, their Welcome. Checked against the channel policy.
   */
  public Future<Accepted> commit(
      Sender sender,
      String channelId,
      long epoch,
      String clientMessageId,
      byte[] commit,
      Optional<byte[]> welcome,
      byte[] groupInfo) {
    HandshakeInspector.InspectedCommit inspected = inspect(() -> HandshakeInspector.commit(commit));
    HandshakeInspector.InspectedGroupInfo info =
        inspect(() -> HandshakeInspector.groupInfo(groupInfo));
    welcome.ifPresent(
        w ->
            inspect(
                () -> {
                  HandshakeInspector.welcome(w);
                  return w;
                }));
    if (inspected.epoch() != epoch) {
      throw ApiError.invalidField("epoch", "epoch does not match the commit's own epoch");
    }
    if (info.epoch() != epoch + 1 || !Arrays.equals(info.groupId(), inspected.groupId())) {
      throw new ApiError(
          400, "malformed-mls", "groupInfo must be the GroupInfo of the epoch this commit opens");
    }
    if (!inspected.adds().isEmpty() && welcome.isEmpty()) {
      throw ApiError.invalidField("welcome", "a commit that adds members needs their Welcome");
    }
    return confined(
        () ->
            member(channelId, sender.deviceId())
                .compose(
                    s -> {
                      requireGroup(s, inspected.groupId());
                      if (epoch != s.epoch) {
                        throw wrongEpoch(s.epoch);
                      }
                      Channel view = s.view();
                      return facts(view, sender, inspected)
                          .compose(
                              facts -> {
                                if (s.epoch != epoch) {
                                  throw wrongEpoch(s.epoch);
                                }
                                CommitPolicy.Change change = CommitPolicy.check(facts);
                                return enqueue(
                                    s,
                                    new ChannelState.Pending(
                                        sender,
                                        epoch,
                                        clientMessageId,
                                        commit,
                                        change,
                                        groupInfo,
                                        welcome));
                              });
                    }));
  }

  /** Loads what the rules need: the added packages, the devices and users involved. */
  private Future<CommitPolicy.Facts> facts(
      Channel channel, Sender sender, HandshakeInspector.InspectedCommit commit) {
    List<String> hashes =
        commit.adds().stream().map(a -> KeyDirectory.hash(a.keyPackage())).toList();
    return keys.byHashes(hashes)
        .compose(
            packages -> {
              Set<String> deviceIds = new HashSet<>();
              Set<String> userIds = new HashSet<>();
              packages
                  .values()
                  .forEach(
                      p -> {
                        deviceIds.add(p.deviceId());
                        userIds.add(p.userId());
                      });
              for (int leaf : commit.removedLeaves()) {
                if (leaf >= 0
                    && leaf < channel.leaves().size()
                    && channel.leaves().get(leaf) != null) {
                  deviceIds.add(channel.leaves().get(leaf).deviceId());
                  userIds.add(channel.leaves().get(leaf).userId());
                }
              }
              Future<List<Device>> devs = devices.byIds(deviceIds);
              Future<List<User>> people = users.byIds(userIds);
              return Future.all(devs, people)
                  .map(
                      v ->
                          new CommitPolicy.Facts(
                              channel,
                              sender.user(),
                              sender.deviceId(),
                              commit,
                              packages,
                              devs.result().stream()
                                  .collect(Collectors.toMap(Device::id, Function.identity())),
                              people.result().stream()
                                  .collect(Collectors.toMap(User::id, Function.identity()))));
            });
  }

  private Future<Accepted> enqueue(ChannelState s, ChannelState.Pending pending) {
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
            states.remove(s.id());
          }
          s.flushing = false;
          flush(s);
        });
  }

  private Future<Void> writeMessages(ChannelState s) {
    List<ChannelState.Pending> batch = new ArrayList<>();
    Set<String> keysInBatch = new HashSet<>();
    while (!s.pending.isEmpty() && !s.pending.peek().isCommit() && batch.size() < MAX_BATCH) {
      ChannelState.Pending p = s.pending.poll();
      Long original = s.recentSends.get(p.key());
      if (s.leafOf(p.sender.deviceId()) < 0) {
        p.promise.fail(channelNotFound());
      } else if (original != null) {
        p.promise.complete(new Accepted(original, p.epoch, true));
      } else if (p.epoch != s.epoch) {
        p.promise.fail(wrongEpoch(s.epoch));
      } else if (!keysInBatch.add(p.key())) {
        // The same send twice in one batch: let the second wait for the first.
        s.pending.addFirst(p);
        break;
      } else {
        batch.add(p);
      }
    }
    if (batch.isEmpty()) {
      return Future.succeededFuture();
    }
    Instant now = clock.instant();
    List<LogEntry> entries = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      entries.add(batch.get(i).messageEntry(s.id(), s.head + 1 + i, now));
    }
    return log.insert(entries)
        .compose(
            outcome -> {
              for (int i = 0; i < outcome.inserted(); i++) {
                accepted(s, entries.get(i), batch.get(i));
              }
              if (!outcome.duplicateKey()) {
                return Future.succeededFuture();
              }
              List<ChannelState.Pending> rest = batch.subList(outcome.inserted(), batch.size());
              return resolveCollision(s, rest.get(0))
                  .map(
                      retried -> {
                        List<ChannelState.Pending> requeue =
                            new ArrayList<>(retried ? rest.subList(1, rest.size()) : rest);
                        for (int i = requeue.size() - 1; i >= 0; i--) {
                          s.pending.addFirst(requeue.get(i));
                        }
                        return null;
                      });
            });
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
                s.recentSends.put(collided.key(), first.seq());
                collided.promise.complete(
                    new Accepted(
                        first.seq(),
                        first.kind() == LogEntry.Kind.COMMIT ? first.epoch() + 1 : first.epoch(),
                        true));
                return Future.succeededFuture(true);
              }
              return catchUp(s).map(false);
            });
  }

  private Future<Void> writeCommit(ChannelState s, ChannelState.Pending p) {
    Long original = s.recentSends.get(p.key());
    if (original != null) {
      p.promise.complete(new Accepted(original, s.epoch, true));
      return Future.succeededFuture();
    }
    if (p.epoch != s.epoch) {
      p.promise.fail(wrongEpoch(s.epoch));
      return Future.succeededFuture();
    }
    // Same epoch as when the rules ran, so the same leaves: the check still holds.
    long seq = s.head + 1;
    Membership.Applied applied = Membership.apply(s.leaves, p.change, seq);
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
                return committed(s, entry, applied, p);
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

  private Future<Void> committed(
      ChannelState s, LogEntry entry, Membership.Applied applied, ChannelState.Pending p) {
    List<Leaf> before = s.leaves;
    s.head = entry.seq();
    s.epoch = entry.epoch() + 1;
    s.leaves = applied.leaves();
    s.groupInfo = p.groupInfo;
    s.appendsSinceSnapshot = 0;
    s.recentSends.put(p.key(), entry.seq());
    publish(entry);
    Set<String> joined =
        applied.added().stream().map(LogEntry.LeafChange::userId).collect(Collectors.toSet());
    joined.removeIf(u -> before.stream().anyMatch(l -> l != null && l.userId().equals(u)));
    Set<String> left =
        applied.removed().stream()
            .map(LogEntry.LeafChange::userId)
            .filter(u -> s.leaves.stream().noneMatch(l -> l != null && l.userId().equals(u)))
            .collect(Collectors.toSet());
    Future<Void> leaversGone = Future.succeededFuture();
    if (s.leaving.removeAll(left)) {
      leaversGone = channels.setLeaving(s.id(), s.leaving);
    }
    List<KeyDirectory.StoredPackage> used =
        p.change.joiners().stream()
            .map(CommitPolicy.Joiner::keyPackage)
            .filter(k -> k != null)
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
                new Welcomes.Pending(s.id(), entry.seq(), s.epoch, p.welcome.get()), newDevices);
    // The commit is in the log whatever happens below: the snapshot and side records are
    // best-effort, and a node that loads the channel replays the log past the snapshot.
    return Future.join(
            channels.saveSnapshot(s.id(), s.epoch, s.leaves, entry.seq(), Optional.of(p.groupInfo)),
            channels.join(joined, s.id()),
            channels.leave(left, s.id()),
            welcomed,
            leaversGone,
            keys.consume(used))
        .onComplete(
            done -> {
              if (done.failed()) {
                LOG.warn("commit side records incomplete channel={} seq={}", s.id(), entry.seq());
              }
              p.promise.complete(new Accepted(entry.seq(), s.epoch, false));
            })
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }

  private Future<Void> deliverWelcome(Welcomes.Pending welcome, List<String> deviceIds) {
    return welcomes
        .store(welcome, deviceIds)
        .onSuccess(
            v ->
                deviceIds.forEach(
                    d ->
                        vertx
                            .eventBus()
                            .publish(Events.device(d), welcome.toJson().put("type", "welcome"))));
  }

  private void accepted(ChannelState s, LogEntry entry, ChannelState.Pending p) {
    s.head = entry.seq();
    s.recentSends.put(p.key(), entry.seq());
    publish(entry);
    p.promise.complete(new Accepted(entry.seq(), entry.epoch(), false));
    if (++s.appendsSinceSnapshot >= SNAPSHOT_EVERY) {
      // Keeps the replay a loading node does short; nothing depends on it succeeding.
      s.appendsSinceSnapshot = 0;
      channels.saveSnapshot(s.id(), s.epoch, s.leaves, s.head, Optional.empty());
    }
  }

  private void publish(LogEntry entry) {
    vertx.eventBus().publish(Events.channel(entry.channelId()), entry.fanout().toJson());
  }

  // ---- reads ------------------------------------------------------------------------------

  /**
   * Entries after {@code after} for a member device, never from before the device joined (it could
   * not decrypt them) nor before retention's first kept seq.
   */
  public Future<Page> read(String channelId, String deviceId, long after, int limit) {
    return confined(
        () ->
            member(channelId, deviceId)
                .compose(
                    s -> {
                      Leaf leaf = s.leaves.get(s.leafOf(deviceId));
                      long from = Math.max(Math.max(after + 1, leaf.addedAt() + 1), s.firstSeq);
                      return log.range(channelId, from, limit)
                          .map(
                              found -> {
                                List<LogEntry> items = withinBudget(found);
                                return new Page(
                                    items,
                                    s.firstSeq,
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
  public Future<List<LogEntry>> entries(String channelId, long from, int limit) {
    return confined(
        () ->
            state(channelId).compose(s -> log.range(channelId, Math.max(from, s.firstSeq), limit)));
  }

  /** Where a device's delivery of a channel starts: after its last ack, or after it joined. */
  public Future<Map<String, Long>> cursors(String deviceId, List<Channel> of) {
    return markers
        .of(deviceId, of.stream().map(Channel::id).toList())
        .map(
            acked -> {
              Map<String, Long> cursors = new LinkedHashMap<>();
              for (Channel c : of) {
                long joinedAt =
                    c.leafOf(deviceId).map(i -> c.leaves().get(i).addedAt()).orElse(c.seqHint());
                cursors.put(c.id(), Math.max(joinedAt, acked.getOrDefault(c.id(), 0L)));
              }
              return cursors;
            });
  }

  public Future<Void> markRead(String deviceId, String channelId, long seq) {
    return markers
        .set(deviceId, channelId, seq)
        .compose(v -> welcomes.acknowledge(deviceId, channelId, seq));
  }

  public Future<List<Welcomes.Pending>> welcomes(String deviceId) {
    return welcomes.pending(deviceId);
  }

  // ---- retention --------------------------------------------------------------------------

  /**
   * Deletes entries older than the channel's retention, oldest first, never the newest entry (its
   * id is how nodes find the head). Returns how many were deleted.
   */
  public Future<Integer> expire(String channelId, Instant now) {
    return confined(
        () ->
            state(channelId)
                .compose(
                    s -> {
                      Instant cutoff =
                          now.minus(Duration.ofDays(s.created.policy().retentionDays()));
                      // The snapshot must cover what is deleted, or a replay would miss commits.
                      return channels
                          .saveSnapshot(s.id(), s.epoch, s.leaves, s.head, Optional.empty())
                          .compose(v -> expireFrom(s, cutoff, 0));
                    }));
  }

  private Future<Integer> expireFrom(ChannelState s, Instant cutoff, int deletedSoFar) {
    long from = s.firstSeq;
    return log.range(s.id(), from, MAX_BATCH)
        .compose(
            page -> {
              List<Long> old =
                  page.stream()
                      .takeWhile(e -> e.sentAt().isBefore(cutoff) && e.seq() < s.head)
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
                        s.firstSeq = next;
                        int total = deletedSoFar + old.size();
                        return old.size() == page.size() && page.size() == MAX_BATCH
                            ? expireFrom(s, cutoff, total)
                            : Future.succeededFuture(total);
                      });
            });
  }

  public Future<List<String>> channelIds() {
    return channels.allIds();
  }

  // ---- state ------------------------------------------------------------------------------

  private Future<ChannelState> member(String channelId, String deviceId) {
    return state(channelId)
        .map(
            s -> {
              if (s.leafOf(deviceId) < 0) {
                throw channelNotFound();
              }
              return s;
            });
  }

  /** This node's state of a channel, loaded once and kept up to date by its own appends. */
  private Future<ChannelState> state(String channelId) {
    Future<ChannelState> known = states.get(channelId);
    if (known != null) {
      return known;
    }
    Future<ChannelState> loading =
        channels
            .byId(channelId)
            .compose(
                found ->
                    found.isEmpty()
                        ? Future.failedFuture(channelNotFound())
                        : catchUp(new ChannelState(found.get())));
    states.put(channelId, loading);
    loading.onFailure(e -> states.remove(channelId, loading));
    evictIdle();
    return loading;
  }

  private void evictIdle() {
    var oldest = states.entrySet().iterator();
    while (states.size() > MAX_STATES && oldest.hasNext()) {
      Future<ChannelState> candidate = oldest.next().getValue();
      if (candidate.succeeded() && candidate.result().idle()) {
        oldest.remove();
      } else {
        break;
      }
    }
  }

  /** Reads the log forward from the state's head and applies what other nodes appended. */
  private Future<ChannelState> catchUp(ChannelState s) {
    return log.range(s.id(), s.head + 1, CATCH_UP_PAGE)
        .compose(
            page -> {
              page.forEach(s::apply);
              return page.size() == CATCH_UP_PAGE ? catchUp(s) : Future.succeededFuture(s);
            });
  }

  private static void requireGroup(ChannelState s, byte[] groupId) {
    if (!Arrays.equals(groupId, s.created.groupId())) {
      throw new ApiError(400, "malformed-mls", "The MLS message belongs to another channel");
    }
  }

  private static <T> T inspect(Supplier<T> parse) {
    try {
      return parse.get();
    } catch (MlsException e) {
      throw new ApiError(
          400,
          "malformed-mls",
          "Not the MLS message expected here: " + e.reason(),
          new JsonObject().put("reason", e.reason().name()));
    }
  }

  private static ApiError channelNotFound() {
    return ApiError.notFound("channel-not-found", "No such channel");
  }

  static ApiError wrongEpoch(long current) {
    return new ApiError(
        409,
        "wrong-epoch",
        "The channel is at epoch " + current + "; process the newer entries and try again",
        new JsonObject().put("currentEpoch", current));
  }

  /** Runs {@code work} on this service's context, where all channel state lives. */
  private <T> Future<T> confined(Supplier<Future<T>> work) {
    if (Vertx.currentContext() == context) {
      return work.get();
    }
    Promise<T> result = Promise.promise();
    context.runOnContext(
        v -> {
          try {
            work.get().onComplete(result);
          } catch (RuntimeException e) {
            result.fail(e);
          }
        });
    return result.future();
  }
}
