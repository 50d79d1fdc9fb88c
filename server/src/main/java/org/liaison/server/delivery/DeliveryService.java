package org.liaison.server.delivery;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.liaison.crypto.mls.HandshakeInspector;
import org.liaison.crypto.mls.MlsException;
import org.liaison.server.accounts.User;
import org.liaison.server.accounts.UserRepository;
import org.liaison.server.api.ApiError;
import org.liaison.server.channels.Channel;
import org.liaison.server.channels.ChannelRepository;
import org.liaison.server.devices.DeviceRepository;
import org.liaison.server.keydirectory.KeyDirectory;
import org.liaison.server.store.Mongo;
import org.liaison.server.store.Store;

/**
 * The MLS delivery service: orders each channel's handshakes and messages into one dense log,
 * enforces one commit per epoch and the channel policy, and fans accepted entries out on the event
 * bus. This class is the entry point and reads each request top to bottom; the jobs live beside it:
 * {@link ChannelStates} (per-channel state, confined to one context), {@link AppendPipeline}
 * (batching, compare-and-set, idempotency), {@link CommitFacts} and {@link CommitPolicy} (the
 * rules), {@link CommitRecords} (what a commit changes besides the log), {@link LogReads} (catch-up
 * pages and cursors), {@link ChannelNotices} (the event bus), {@link DueRemovals} (removals members
 * owe) and {@link RetentionJob}.
 */
public final class DeliveryService {
  private final ChannelRepository channels;
  private final ChannelLog log;
  private final Welcomes welcomes;
  private final ReadMarkers markers;
  private final ChannelStates states;
  private final CommitFacts facts;
  private final AppendPipeline appends;
  private final ChannelNotices notices;
  private final LogReads reads;
  private final DueRemovals removals;

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
    this.channels = channels;
    this.log = new ChannelLog(store, cacheEntries, cacheBytes);
    this.welcomes = new Welcomes(store);
    this.markers = new ReadMarkers(store);
    this.states = new ChannelStates(vertx, channels, log);
    this.facts = new CommitFacts(keys, devices, users);
    this.notices = new ChannelNotices(vertx);
    this.reads = new LogReads(states, log, markers);
    this.appends =
        new AppendPipeline(
            states, log, new CommitRecords(channels, welcomes, keys, notices), notices, clock);
    this.removals = new DueRemovals(vertx, states, channels, users, notices);
    new DeviceAdds(vertx, states, notices);
  }

  public Future<Void> createIndexes() {
    return log.createIndexes();
  }

  // ---- channels ---------------------------------------------------------------------------

  /** Records a new channel whose only member is the creator's device, at epoch 0. */
  public Future<Channel> create(Channel channel) {
    return states.confined(
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
                .onSuccess(c -> notices.created(c.id(), c.leaves().get(0).deviceId())));
  }

  /** The channel as its member device sees it; 404 for anyone else. */
  public Future<Channel> channelFor(String channelId, String deviceId) {
    return states.confined(() -> states.member(channelId, deviceId).map(ChannelState::view));
  }

  /** The channels in which this user has a device; one that fails to load is left out. */
  public Future<List<Channel>> channelsOf(String userId) {
    return states.confined(
        () -> states.ofUser(userId).map(found -> found.stream().map(ChannelState::view).toList()));
  }

  public Future<Void> setMeta(Sender sender, String channelId, Channel.Meta meta) {
    return states.confined(
        () ->
            states
                .member(channelId, sender.deviceId())
                .compose(
                    s -> {
                      if (meta.epoch() != s.epoch()) {
                        throw ApiError.wrongEpoch(s.epoch());
                      }
                      s.metaSet(meta);
                      return channels.setMeta(channelId, meta);
                    })
                .onSuccess(v -> notices.metaChanged(channelId)));
  }

  /**
   * Records that the sender's user wants to leave and tells the members: any of them may commit the
   * removal of the leaver's devices (MLS does not let a member commit its own removal).
   */
  public Future<Channel> leave(Sender sender, String channelId) {
    return states.confined(
        () ->
            states
                .member(channelId, sender.deviceId())
                .compose(s -> removals.leaveRequested(s, sender.user().id())));
  }

  public Future<byte[]> groupInfo(String channelId, String deviceId) {
    return states.confined(() -> states.member(channelId, deviceId).map(ChannelState::groupInfo));
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
    return states.confined(
        () ->
            states
                .member(channelId, sender.deviceId())
                .compose(
                    s -> {
                      requireGroup(s, message.groupId());
                      Optional<Long> original =
                          s.recentSend(ChannelState.sendKey(sender.deviceId(), clientMessageId));
                      if (original.isPresent()) {
                        return Future.succeededFuture(new Accepted(original.get(), epoch, true));
                      }
                      if (epoch != s.epoch()) {
                        throw ApiError.wrongEpoch(s.epoch());
                      }
                      return appends.enqueue(
                          s,
                          ChannelState.Pending.message(sender, epoch, clientMessageId, ciphertext));
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
    HandshakeInspector.InspectedGroupInfo info = verifiedGroupInfo(groupInfo);
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
      throw ApiError.malformedMls("groupInfo must be the GroupInfo of the epoch this commit opens");
    }
    if (!inspected.adds().isEmpty() && welcome.isEmpty()) {
      throw ApiError.invalidField("welcome", "a commit that adds members needs their Welcome");
    }
    return states.confined(
        () ->
            states
                .member(channelId, sender.deviceId())
                .compose(
                    s -> {
                      requireGroup(s, inspected.groupId());
                      if (epoch != s.epoch()) {
                        throw ApiError.wrongEpoch(s.epoch());
                      }
                      return facts
                          .load(s.view(), sender, inspected)
                          .compose(
                              loaded -> {
                                // Loading took a round trip: another commit may have won.
                                if (s.epoch() != epoch) {
                                  throw ApiError.wrongEpoch(s.epoch());
                                }
                                CommitPolicy.Change change = CommitPolicy.check(loaded);
                                // After the policy, so a commit for another leaf stays 403
                                // sender-mismatch; its GroupInfo verified above.
                                requireSignedByCommitter(sender, inspected, info);
                                return appends.enqueue(
                                    s,
                                    ChannelState.Pending.commit(
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

  // ---- reads ------------------------------------------------------------------------------

  /**
   * Entries after {@code after} for a member device, never from before the device joined (it could
   * not decrypt them) nor before retention's first kept seq.
   */
  public Future<Page> read(String channelId, String deviceId, long after, int limit) {
    return reads.page(channelId, deviceId, after, limit);
  }

  /** For realtime connections, which keep their own cursor and membership. */
  public Future<List<LogEntry>> entries(String channelId, long from, int limit) {
    return reads.entries(channelId, from, limit);
  }

  /** Where a device's delivery of a channel starts: after its last ack, or after it joined. */
  public Future<Map<String, Long>> cursors(String deviceId, List<Channel> of) {
    return reads.cursors(deviceId, of);
  }

  public Future<Void> markRead(String deviceId, String channelId, long seq) {
    return markers
        .set(deviceId, channelId, seq)
        .compose(v -> welcomes.acknowledge(deviceId, channelId, seq));
  }

  public Future<List<Welcomes.Pending>> welcomes(String deviceId) {
    return welcomes.pending(deviceId);
  }

  // ---- for retention ----------------------------------------------------------------------

  ChannelStates states() {
    return states;
  }

  ChannelLog log() {
    return log;
  }

  ChannelRepository channels() {
    return channels;
  }

  // ---- checks -----------------------------------------------------------------------------

  private static void requireGroup(ChannelState s, byte[] groupId) {
    if (!Arrays.equals(groupId, s.created().groupId())) {
      throw ApiError.malformedMls("The MLS message belongs to another channel");
    }
  }

  /**
   * A GroupInfo the delivery service will hand to devices that rejoin: well-formed, and its
   * signature verifies under its signer's leaf in the ratchet tree it carries ({@link
   * HandshakeInspector#groupInfo}). 400 {@code malformed-mls} with the reason otherwise.
   */
  public static HandshakeInspector.InspectedGroupInfo verifiedGroupInfo(byte[] groupInfo) {
    try {
      return HandshakeInspector.groupInfo(groupInfo);
    } catch (MlsException e) {
      throw new ApiError(
          400,
          "malformed-mls",
          "groupInfo is not a valid MLS GroupInfo: " + e.getMessage(),
          new JsonObject().put("field", "groupInfo").put("reason", e.reason().name()));
    }
  }

  /**
   * The GroupInfo of the epoch a commit opens is signed by the committer: its signer leaf names the
   * posting user and device, is the commit's sender leaf (a member's commit) and holds the key of
   * the commit's update path (the leaf the committer signs with from then on). Otherwise one device
   * could plant another's GroupInfo, or an old one, for everyone who rejoins later.
   */
  private static void requireSignedByCommitter(
      Sender sender,
      HandshakeInspector.InspectedCommit commit,
      HandshakeInspector.InspectedGroupInfo info) {
    boolean namesSender =
        info.signerCredential().userId().equals(sender.user().id())
            && info.signerCredential().deviceId().equals(sender.deviceId());
    boolean senderLeaf =
        commit.senderKind() != HandshakeInspector.SenderKind.MEMBER
            || info.signerLeaf() == commit.senderLeaf();
    boolean pathKey =
        commit.pathSignatureKey().map(k -> Arrays.equals(k, info.signerKey())).orElse(true);
    if (!namesSender || !senderLeaf || !pathKey) {
      throw new ApiError(
          400,
          "malformed-mls",
          "groupInfo must be signed by the committing device's leaf",
          new JsonObject().put("field", "groupInfo").put("reason", "GROUP_INFO_SIGNER"));
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
}
