package org.liaison.client.channels;

import static org.liaison.client.channels.DeviceContext.done;

import io.vertx.core.Future;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import org.liaison.client.LiaisonClient;
import org.liaison.crypto.Ed25519;
import org.liaison.crypto.attestation.AttestationChain;
import org.liaison.crypto.mls.ChannelPolicy;
import org.liaison.crypto.mls.ChannelSession;

/**
 * One device in a Liaison network: its identity (Ed25519 leaf key and attestation chain), its MLS
 * session per channel, its key packages and one realtime WebSocket. Everything that can change runs
 * on one Vert.x context, and everything about one channel runs in order on that channel's queue, so
 * a commit in flight and entries arriving meanwhile never interleave.
 *
 * <p>Trust: members are accepted only with an attestation chain from the network root key this
 * device was constructed with, at or above the channel's tier and in its sectors (the policy read
 * from the MLS group id, compared with the server's), whose device attestation is not on the
 * network's revocation list (read at every connect and on {@code network-updated}; a member it
 * lists is refused like one whose attestation fails). The server's {@code GET /network} is compared
 * with that key and a different one is refused; a server that names none yet is followed, but
 * channels are not rejoined until it publishes the configured root.
 *
 * <p>Removals the server says are due (live {@code channel-updated} notices and the channel
 * records' {@code removalsDue}, read on every connect) are committed by whoever may make them.
 *
 * <p>Restarts: bcmls cannot save a group's state, so a device that starts again holds no sessions.
 * For each channel it is in it rejoins by external commit from the channel's latest GroupInfo
 * ({@link #resync}); messages sent while it had no state stay unreadable, reported as {@link
 * ChannelEvent.HistoryUnavailable} with {@code RESYNCED}. Key packages uploaded by an earlier run
 * are useless for the same reason: a Welcome for one of them is answered with a resync.
 *
 * <p>This class is the façade: it puts each call on the device's context (and a channel's work in
 * that channel's queue) and hands it to the part that does it — {@link DeviceRegistration}, {@link
 * KeyPackages}, {@link Realtime} over {@link RealtimeConnection}, {@link ChannelDirectory}, {@link
 * MembershipChanges} and {@link Commits}, {@link MessageSender}, {@link LogFollower} with {@link
 * ExternalRejoin}, {@link WelcomeJoin} and {@link Acks}, {@link NetworkTrust} and {@link
 * TrustUpkeep}; {@link DeviceContext} is what they share.
 */
public final class LiaisonDevice implements AutoCloseable {
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * {@code keyPackageTarget}: one-time packages kept on the server (topped up below half); {@code
   * maxAttempts}: commits and sends retried after a lost race or a lost connection; {@code
   * followAll}: on connecting, rejoin (resync) every channel this run holds no state for. A
   * short-lived tool (the CLI) turns it off and follows only the channels it works on, since each
   * resync is a commit every member processes. {@code authFrame}: authenticate the realtime
   * connection with a first {@code auth} frame (as browsers do) instead of the {@code
   * Authorization} header on the upgrade.
   */
  public record Options(
      int keyPackageTarget,
      int maxAttempts,
      Duration ackDelay,
      Clock clock,
      boolean followAll,
      boolean authFrame) {
    public static Options defaults() {
      return new Options(20, 5, Duration.ofMillis(100), Clock.systemUTC(), true, false);
    }

    public Options withFollowAll(boolean follow) {
      return new Options(keyPackageTarget, maxAttempts, ackDelay, clock, follow, authFrame);
    }

    public Options withAuthFrame(boolean frame) {
      return new Options(keyPackageTarget, maxAttempts, ackDelay, clock, followAll, frame);
    }
  }

  /** A message the server stored as entry {@code seq}. */
  public record Sent(String channelId, long seq, String clientMessageId) {}

  /**
   * A commit of this device, accepted as entry {@code seq}, that moved the channel to {@code
   * epoch}.
   */
  public record Committed(String channelId, long seq, long epoch) {}

  private final DeviceContext ctx;
  private final DeviceRegistration device;
  private final KeyPackages keyPackages;
  private final RealtimeConnection connection;
  private final ChannelDirectory directory;
  private final LogFollower follower;
  private final Commits commits;
  private final MembershipChanges membership;
  private final MessageSender sender;
  private final Realtime realtime;

  /**
   * A device over a signed-in client, trusting only {@code rootKey} (the network root's Ed25519
   * public key this client was configured with). Then {@link #registerDevice} or {@link #resume}.
   */
  public LiaisonDevice(LiaisonClient client, byte[] rootKey, Options options) {
    if (rootKey.length != Ed25519.PUBLIC_KEY_LENGTH) {
      throw new IllegalArgumentException("the network root key is an Ed25519 public key");
    }
    ctx = new DeviceContext(client, rootKey, options);
    NetworkTrust network = new NetworkTrust(ctx);
    device = new DeviceRegistration(ctx, network);
    keyPackages = new KeyPackages(ctx, device);
    connection = new RealtimeConnection(ctx);
    directory = new ChannelDirectory(ctx, device);
    Acks acks = new Acks(ctx, connection);
    follower = new LogFollower(ctx, new ExternalRejoin(ctx, device, directory), acks);
    commits = new Commits(ctx, follower, directory);
    membership = new MembershipChanges(ctx, device, commits);
    sender = new MessageSender(ctx, follower);
    WelcomeJoin welcomes = new WelcomeJoin(ctx, device, keyPackages, directory, follower, acks);
    TrustUpkeep upkeep = new TrustUpkeep(ctx, network, connection, directory, membership, follower);
    realtime =
        new Realtime(ctx, device, connection, follower, welcomes, upkeep, directory, keyPackages);
  }

  public LiaisonDevice(LiaisonClient client, byte[] rootKey) {
    this(client, rootKey, Options.defaults());
  }

  /**
   * Work after each commit of this device took effect (e.g. the documents keyring for the new
   * epoch), with the sessions before and after it. Runs in the channel's queue: it must not wait
   * for other work on the same channel.
   */
  @FunctionalInterface
  public interface CommitListener {
    Future<Void> committed(String channelId, ChannelSession before, ChannelSession after);
  }

  /** Receives the realtime connection's {@code document-*} frames, as the server sent them. */
  public LiaisonDevice onDocumentFrame(Consumer<io.vertx.core.json.JsonObject> handler) {
    ctx.onDocumentFrame(handler);
    return this;
  }

  /**
   * Another member's commit was applied (besides {@link #onEvent}, which the application owns): for
   * the documents part, which writes the new epoch's keyring if nobody has.
   */
  public LiaisonDevice onMembersChanged(Consumer<ChannelEvent.MembersChanged> listener) {
    ctx.onMembersChanged(listener);
    return this;
  }

  public LiaisonDevice onOwnCommit(CommitListener listener) {
    ctx.onOwnCommit(listener);
    return this;
  }

  public LiaisonDevice onMessage(Consumer<ChannelMessage> handler) {
    ctx.onMessage(handler);
    return this;
  }

  public LiaisonDevice onEvent(Consumer<ChannelEvent> handler) {
    ctx.onEvent(handler);
    return this;
  }

  public LiaisonClient client() {
    return ctx.client;
  }

  /** This device's keys (to store them); empty before {@link #registerDevice}/{@link #resume}. */
  public Optional<DeviceKeys> keys() {
    return device.keys();
  }

  /** This device's MLS session of a channel, e.g. for epoch authenticators or safety numbers. */
  public Optional<ChannelSession> session(String channelId) {
    ChannelState ch = ctx.existing(channelId);
    return ch == null || !ch.active() ? Optional.empty() : Optional.of(ch.log.session());
  }

  // ---- the device itself --------------------------------------------------------------------

  /** Creates a signature key, registers this device and binds the session to it. */
  public Future<DeviceKeys> registerDevice(String name) {
    return ctx.run(() -> device.register(name));
  }

  /**
   * Attaches the attestation chain a coordinator made for this device's key. It is checked here
   * first (against the configured root, for this key and user), then by the server. Key packages
   * carry the chain, so upload them after this.
   */
  public Future<DeviceKeys> attachAttestation(AttestationChain chain) {
    return ctx.run(() -> device.attachAttestation(chain));
  }

  /**
   * Continues as a device registered earlier (its stored keys). If this session is not bound to it
   * yet (a new login), binds it by signing the session id with the device key. If the stored keys
   * have no attestation but the server holds one for this device (a coordinator attached it), it is
   * taken once it verifies against the configured root.
   */
  public Future<DeviceKeys> resume(DeviceKeys stored) {
    return ctx.run(() -> device.resume(stored));
  }

  // ---- key packages -------------------------------------------------------------------------

  /**
   * Uploads {@code count} one-time key packages, and a new last-resort package when this device
   * holds none (a fresh start: an earlier run's secrets are gone). Needs the attestation first.
   */
  public Future<Integer> uploadKeyPackages(int count) {
    return keyPackages.upload(count);
  }

  /**
   * Keeps at least half of {@link Options#keyPackageTarget} one-time packages on the server, and a
   * last-resort one.
   */
  public Future<Integer> topUpKeyPackages() {
    return keyPackages.topUp();
  }

  // ---- realtime -----------------------------------------------------------------------------

  /**
   * Opens the realtime connection. Completes once the server said {@code ready} and this device has
   * joined from waiting Welcomes and resynced the channels it holds no state for.
   */
  public Future<Void> connect() {
    return ctx.run(realtime::connect);
  }

  /** Closes the realtime connection (the device stays usable over HTTP). */
  public Future<Void> disconnect() {
    return ctx.run(connection::disconnect);
  }

  public boolean connected() {
    return connection.isOpen();
  }

  // ---- channels and membership --------------------------------------------------------------

  /** Creates a channel with this device as its only member; answers its id. */
  public Future<String> createChannel(String kind, ChannelPolicy policy, ChannelMeta meta) {
    return ctx.run(() -> directory.create(kind, policy, meta));
  }

  /** The channels this device is in, with names where it can read them. */
  public Future<List<ChannelInfo>> channels() {
    return ctx.run(directory::list);
  }

  public Future<ChannelInfo> channel(String channelId) {
    return ctx.run(() -> directory.get(channelId));
  }

  /**
   * Adds every active device of these users: claims their key packages, commits (refused here first
   * when a device's attestation does not meet the channel policy), and on a lost race catches up
   * and commits again. The Welcome goes to the new devices through the server.
   */
  public Future<Committed> addMembers(String channelId, List<String> userIds) {
    return onChannel(channelId, ch -> membership.add(ch, userIds));
  }

  /** Removes every device of these users from the channel. */
  public Future<Committed> removeMembers(String channelId, List<String> userIds) {
    return onChannel(channelId, ch -> membership.remove(ch, userIds));
  }

  /**
   * Asks to leave the channel: MLS does not let a member commit its own removal, so the server
   * tells the other members, and one of them commits it ({@link ChannelEvent.Removed} follows).
   */
  public Future<Void> leave(String channelId) {
    return ctx.run(() -> ctx.client.leaveChannel(channelId).mapEmpty());
  }

  /** A fresh leaf key for this device in the channel (post-compromise security). */
  public Future<Committed> update(String channelId) {
    return onChannel(channelId, ch -> commits.commit(ch, ChannelSession::update, false));
  }

  // ---- sending and following the log --------------------------------------------------------

  /** Sends a text message; a retry (lost connection) reuses the same client message id. */
  public Future<Sent> send(String channelId, String text) {
    byte[] id = new byte[16];
    RANDOM.nextBytes(id);
    return send(channelId, text, LiaisonClient.b64(id));
  }

  /**
   * Sends with a caller-chosen {@code clientMessageId} (1..64 of {@code [A-Za-z0-9_-]}): sending
   * again with the same id stores nothing new and answers the original seq.
   */
  public Future<Sent> send(String channelId, String text, String clientMessageId) {
    if (!clientMessageId.matches("[A-Za-z0-9_-]{1,64}")) {
      throw new IllegalArgumentException("clientMessageId: 1..64 of [A-Za-z0-9_-]");
    }
    return onChannel(channelId, ch -> sender.sendText(ch, text, clientMessageId));
  }

  /** Reads the channel's log from the last processed entry to the end. */
  public Future<Void> catchUp(String channelId) {
    return onChannel(channelId, follower::catchUp);
  }

  /**
   * Rejoins a channel by external commit from its latest GroupInfo (after losing state). Entries
   * before the rejoin are unreadable and reported as such.
   */
  public Future<Void> resync(String channelId) {
    return ctx.run(
        () -> {
          device.requireKeys();
          ChannelState ch = ctx.channel(channelId);
          return ch.serial(() -> follower.resync(ch));
        });
  }

  /**
   * Runs {@code work} with the channel's current session, in the channel's queue (so no commit
   * moves the epoch meanwhile); a channel this run holds no state for is resynced first.
   */
  public <T> Future<T> withSession(String channelId, Function<ChannelSession, Future<T>> work) {
    return onChannel(channelId, ch -> work.apply(ch.activeSession()));
  }

  /**
   * Runs an operation in the channel's queue; a channel this run holds no state for is resynced.
   */
  private <T> Future<T> onChannel(String channelId, Function<ChannelState, Future<T>> operation) {
    return ctx.run(
        () -> {
          device.requireKeys();
          ChannelState ch = ctx.channel(channelId);
          return ch.serial(
              () ->
                  (ch.log == null ? follower.resync(ch) : done())
                      .compose(v -> operation.apply(ch)));
        });
  }

  @Override
  public void close() {
    connection.close();
  }

  @Override
  public String toString() {
    return "LiaisonDevice["
        + device.keys().map(k -> k.userId() + "/" + k.deviceId()).orElse("unregistered")
        + "]";
  }
}
