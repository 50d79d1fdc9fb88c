package org.liaison.client.channels;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.liaison.client.LiaisonClient;
import org.liaison.client.LiaisonException;
import org.liaison.client.channels.ChannelEvent.MemberRef;
import org.liaison.crypto.ConstantTime;
import org.liaison.crypto.Ed25519;
import org.liaison.crypto.Labels;
import org.liaison.crypto.attestation.AttestationChain;
import org.liaison.crypto.codec.DecodeException;
import org.liaison.crypto.mls.ChannelGroupId;
import org.liaison.crypto.mls.ChannelPolicy;
import org.liaison.crypto.mls.ChannelSession;
import org.liaison.crypto.mls.DeviceIdentity;
import org.liaison.crypto.mls.KeyPackageSecrets;
import org.liaison.crypto.mls.MlsException;
import org.liaison.crypto.mls.Trust;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One device in a Liaison network: its identity (Ed25519 leaf key and attestation chain), its MLS
 * session per channel, its key packages and one realtime WebSocket. Everything that can change runs
 * on one Vert.x context, and everything about one channel runs in order on that channel's queue, so
 * a commit in flight and entries arriving meanwhile never interleave.
 *
 * <p>Trust: members are accepted only with an attestation chain from the network root key this
 * device was constructed with, at or above the channel's tier and in its sectors (the policy read
 * from the MLS group id, compared with the server's). The server's {@code GET /network} is compared
 * with that key and a different one is refused.
 *
 * <p>Restarts: bcmls cannot save a group's state, so a device that starts again holds no sessions.
 * For each channel it is in it rejoins by external commit from the channel's latest GroupInfo
 * ({@link #resync}); messages sent while it had no state stay unreadable, reported as {@link
 * ChannelEvent.HistoryUnavailable} with {@code RESYNCED}. Key packages uploaded by an earlier run
 * are useless for the same reason: a Welcome for one of them is answered with a resync.
 */
public final class LiaisonDevice implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LiaisonDevice.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int PAGE = 500;
  private static final int RETIRED_LAST_RESORTS = 3;

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

  private static final class Channel {
    final String id;
    ChannelLog log;
    ChannelGroupId groupId;
    String kind;
    Optional<ChannelMeta> meta = Optional.empty();
    Future<Void> queue = Future.succeededFuture();
    long serverAck;
    long ackedSeq;
    boolean ackTimer;
    boolean stranded;

    Channel(String id) {
      this.id = id;
    }

    boolean active() {
      return log != null && log.state() == ChannelLog.State.ACTIVE;
    }
  }

  private final LiaisonClient client;
  private final Vertx vertx;
  private final Context context;
  private final byte[] rootKey;
  private final Options options;
  private final Map<String, Channel> channels = new HashMap<>();
  private final List<KeyPackageSecrets> oneTime = new ArrayList<>();
  private final List<KeyPackageSecrets> retiredLastResorts = new ArrayList<>();
  private KeyPackageSecrets lastResort;
  private DeviceKeys keys;
  private DeviceIdentity identity;
  private WebSocketClient webSockets;
  private WebSocket socket;
  private Promise<Void> ready;
  private Consumer<ChannelMessage> messageHandler = m -> {};
  private Consumer<ChannelEvent> eventHandler = e -> {};

  /**
   * A device over a signed-in client, trusting only {@code rootKey} (the network root's Ed25519
   * public key this client was configured with). Then {@link #registerDevice} or {@link #resume}.
   */
  public LiaisonDevice(LiaisonClient client, byte[] rootKey, Options options) {
    if (rootKey.length != Ed25519.PUBLIC_KEY_LENGTH) {
      throw new IllegalArgumentException("the network root key is an Ed25519 public key");
    }
    this.client = client;
    this.vertx = client.vertx();
    this.context = vertx.getOrCreateContext();
    this.rootKey = rootKey.clone();
    this.options = options;
  }

  public LiaisonDevice(LiaisonClient client, byte[] rootKey) {
    this(client, rootKey, Options.defaults());
  }

  public LiaisonDevice onMessage(Consumer<ChannelMessage> handler) {
    this.messageHandler = handler;
    return this;
  }

  public LiaisonDevice onEvent(Consumer<ChannelEvent> handler) {
    this.eventHandler = handler;
    return this;
  }

  public LiaisonClient client() {
    return client;
  }

  /** This device's keys (to store them); empty before {@link #registerDevice}/{@link #resume}. */
  public Optional<DeviceKeys> keys() {
    return Optional.ofNullable(keys);
  }

  /** This device's MLS session of a channel, e.g. for epoch authenticators or safety numbers. */
  public Optional<ChannelSession> session(String channelId) {
    Channel ch = channels.get(channelId);
    return ch == null || !ch.active() ? Optional.empty() : Optional.of(ch.log.session());
  }

  // ---- the device itself --------------------------------------------------------------------

  /** Creates a signature key, registers this device and binds the session to it. */
  public Future<DeviceKeys> registerDevice(String name) {
    return run(
        () ->
            checkNetwork()
                .compose(
                    v -> {
                      Ed25519.KeyPair key = Ed25519.KeyPair.generate();
                      return client
                          .registerDevice(name, key.publicKey(), Optional.empty())
                          .map(
                              json ->
                                  adoptKeys(
                                      new DeviceKeys(
                                          json.getString("userId"),
                                          json.getString("id"),
                                          key,
                                          Optional.empty())));
                    }));
  }

  /**
   * Attaches the attestation chain a coordinator made for this device's key. It is checked here
   * first (against the configured root, for this key and user), then by the server. Key packages
   * carry the chain, so upload them after this.
   */
  public Future<DeviceKeys> attachAttestation(AttestationChain chain) {
    return run(
        () -> {
          DeviceKeys current = requireKeys();
          chain.verify(
              rootKey,
              current.signatureKey().publicKey(),
              current.userId(),
              options.clock().instant());
          return client
              .attachAttestation(current.deviceId(), chain.encode())
              .map(json -> adoptKeys(current.withChain(chain)));
        });
  }

  /**
   * Continues as a device registered earlier (its stored keys). If this session is not bound to it
   * yet (a new login), binds it by signing the session id with the device key. If the stored keys
   * have no attestation but the server holds one for this device (a coordinator attached it), it is
   * taken once it verifies against the configured root.
   */
  public Future<DeviceKeys> resume(DeviceKeys stored) {
    return run(
        () ->
            checkNetwork()
                .compose(
                    v ->
                        client
                            .keyPackageCount()
                            .<Object>map(count -> count)
                            .recover(
                                e -> {
                                  if (LiaisonException.hasCode(e, "device-required")) {
                                    return client
                                        .bindDeviceSession(
                                            stored.deviceId(), sessionSignature(stored))
                                        .map(bound -> bound);
                                  }
                                  return Future.failedFuture(e);
                                }))
                .compose(
                    v ->
                        stored.chain().isPresent()
                            ? Future.succeededFuture(stored)
                            : fetchChain(stored))
                .map(this::adoptKeys));
  }

  private byte[] sessionSignature(DeviceKeys stored) {
    return stored
        .signatureKey()
        .sign(Labels.DEVICE_SESSION, client.sessionId().getBytes(StandardCharsets.UTF_8));
  }

  private Future<DeviceKeys> fetchChain(DeviceKeys stored) {
    return client
        .devices()
        .map(
            devices -> {
              for (int i = 0; i < devices.size(); i++) {
                JsonObject d = devices.getJsonObject(i);
                String attestation = d.getString("attestation");
                if (stored.deviceId().equals(d.getString("id")) && attestation != null) {
                  AttestationChain chain =
                      AttestationChain.decode(LiaisonClient.unb64(attestation));
                  chain.verify(
                      rootKey,
                      stored.signatureKey().publicKey(),
                      stored.userId(),
                      options.clock().instant());
                  return stored.withChain(chain);
                }
              }
              return stored;
            });
  }

  private DeviceKeys adoptKeys(DeviceKeys newKeys) {
    keys = newKeys;
    identity = newKeys.identity();
    return newKeys;
  }

  private DeviceKeys requireKeys() {
    if (keys == null) {
      throw new IllegalStateException("register or resume a device first");
    }
    return keys;
  }

  /** The server must name the root key this client was configured with. */
  private Future<Void> checkNetwork() {
    return client
        .network()
        .map(
            json -> {
              String stated = json.getString("rootKey");
              if (stated == null || !ConstantTime.equal(LiaisonClient.unb64(stated), rootKey)) {
                throw new UntrustedServerException(
                    "the server's network root key is not the one this client was configured with");
              }
              return null;
            });
  }

  // ---- key packages -------------------------------------------------------------------------

  /**
   * Uploads {@code count} one-time key packages, and a new last-resort package when this device
   * holds none (a fresh start: an earlier run's secrets are gone). Needs the attestation first.
   */
  public Future<Integer> uploadKeyPackages(int count) {
    return run(() -> upload(count, lastResort == null));
  }

  /**
   * Keeps at least half of {@link Options#keyPackageTarget} one-time packages on the server, and a
   * last-resort one.
   */
  public Future<Integer> topUpKeyPackages() {
    return run(
        () ->
            client
                .keyPackageCount()
                .compose(
                    count -> {
                      int stored = count.getInteger("oneTime", 0);
                      int target = options.keyPackageTarget();
                      boolean needLastResort =
                          lastResort == null || !count.getBoolean("lastResort", false);
                      // Packages stored by an earlier run are useless to this one: replace them.
                      int missing =
                          freshStart() ? target : stored < (target + 1) / 2 ? target - stored : 0;
                      if (missing == 0 && !needLastResort) {
                        return Future.succeededFuture(0);
                      }
                      return upload(missing, needLastResort);
                    }));
  }

  /** This process holds no key package secrets yet: whatever the server has is an earlier run's. */
  private boolean freshStart() {
    return lastResort == null && oneTime.isEmpty();
  }

  private Future<Integer> upload(int count, boolean withLastResort) {
    boolean replace = freshStart();
    DeviceKeys current = requireKeys();
    if (current.chain().isEmpty()) {
      return Future.failedFuture(
          new IllegalStateException("attach an attestation before uploading key packages"));
    }
    List<KeyPackageSecrets> fresh = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      fresh.add(ChannelSession.newKeyPackage(identity));
    }
    Optional<KeyPackageSecrets> last =
        withLastResort ? Optional.of(ChannelSession.newKeyPackage(identity)) : Optional.empty();
    return client
        .uploadKeyPackages(
            fresh.stream().map(KeyPackageSecrets::publicBytes).toList(),
            last.map(KeyPackageSecrets::publicBytes),
            replace)
        .map(
            ok -> {
              oneTime.addAll(fresh);
              last.ifPresent(
                  l -> {
                    if (lastResort != null) {
                      // a Welcome may still be on its way for the package it replaces
                      retiredLastResorts.add(lastResort);
                      if (retiredLastResorts.size() > RETIRED_LAST_RESORTS) {
                        retiredLastResorts.remove(0);
                      }
                    }
                    lastResort = l;
                  });
              return fresh.size();
            });
  }

  // ---- realtime -----------------------------------------------------------------------------

  /**
   * Opens the realtime connection. Completes once the server said {@code ready} and this device has
   * joined from waiting Welcomes and resynced the channels it holds no state for.
   */
  public Future<Void> connect() {
    return run(
        () -> {
          requireKeys();
          if (socket != null) {
            return Future.succeededFuture();
          }
          return checkNetwork().compose(v -> openSocket(true));
        });
  }

  /** Closes the realtime connection (the device stays usable over HTTP). */
  public Future<Void> disconnect() {
    return run(
        () -> {
          WebSocket open = socket;
          socket = null;
          return open == null ? Future.succeededFuture() : open.close();
        });
  }

  public boolean connected() {
    return socket != null;
  }

  private Future<Void> openSocket(boolean refreshOnce) {
    if (webSockets == null) {
      webSockets =
          vertx.createWebSocketClient(
              new WebSocketClientOptions()
                  .setMaxFrameSize(1 << 20)
                  .setMaxMessageSize(1 << 20)
                  .setConnectTimeout(10_000));
    }
    URI base = client.baseUri();
    boolean tls = "https".equals(base.getScheme());
    String token =
        client
            .session()
            .orElseThrow(() -> new IllegalStateException("sign in first"))
            .accessToken();
    WebSocketConnectOptions connect =
        new WebSocketConnectOptions()
            .setHost(base.getHost())
            .setPort(base.getPort() > 0 ? base.getPort() : (tls ? 443 : 80))
            .setSsl(tls)
            .setURI("/api/v1/realtime");
    if (!options.authFrame()) {
      connect.addHeader("Authorization", "Bearer " + token);
    }
    return webSockets
        .connect(connect)
        .recover(
            e -> {
              if (refreshOnce
                  && e instanceof UpgradeRejectedException rejected
                  && rejected.getStatus() == 401) {
                return client.refresh().compose(v -> openSocket(false)).map(v -> socket);
              }
              return Future.failedFuture(e);
            })
        .compose(
            ws -> {
              if (ws == socket) {
                return Future.succeededFuture(); // opened by the retry above
              }
              socket = ws;
              Promise<Void> whenReady = Promise.promise();
              ready = whenReady;
              ws.textMessageHandler(this::onFrame);
              if (options.authFrame()) {
                ws.writeTextMessage(
                    new JsonObject().put("type", "auth").put("token", token).encode());
              }
              ws.closeHandler(
                  v -> {
                    if (socket == ws) {
                      socket = null;
                      LOG.info("realtime connection closed ({})", ws.closeStatusCode());
                      whenReady.tryFail("realtime connection closed before ready");
                    }
                  });
              return whenReady.future();
            });
  }

  private void onFrame(String text) {
    JsonObject frame;
    try {
      frame = new JsonObject(text);
    } catch (RuntimeException e) {
      LOG.warn("unreadable realtime frame");
      return;
    }
    String type = frame.getString("type", "");
    String channelId = frame.getString("channelId");
    switch (type) {
      case "ready" -> {
        Promise<Void> whenReady = ready;
        onReady(frame)
            .onComplete(
                r -> {
                  if (r.succeeded()) {
                    whenReady.tryComplete();
                  } else {
                    whenReady.tryFail(r.cause());
                  }
                });
      }
      case "message", "handshake" -> {
        if (channelId == null) {
          return;
        }
        LogEntry entry;
        try {
          JsonObject body = frame.getJsonObject("entry", frame);
          entry = LogEntry.fromJson(channelId, body);
        } catch (RuntimeException e) {
          LOG.warn("unreadable {} frame: {}", type, e.getMessage());
          return;
        }
        Channel ch = state(channelId);
        serial(ch, () -> onLiveEntry(ch, entry)).onFailure(e -> warn(ch, "live entry", e));
      }
      case "welcome" -> {
        Channel ch = state(channelId);
        welcome(ch, frame).onFailure(e -> warn(ch, "welcome", e));
      }
      case "channel-updated" -> {
        if (channelId == null) {
          return;
        }
        Channel ch = state(channelId);
        switch (frame.getString("reason", "")) {
          case "meta" ->
              serial(ch, () -> loadChannel(ch).mapEmpty()).onFailure(e -> warn(ch, "meta", e));
          case "leave-requested" -> {
            String userId = frame.getString("userId");
            if (userId != null && !userId.equals(identity.userId())) {
              removeFor(ch, m -> m.userId().equals(userId), "leave of " + userId);
            }
          }
          case "device-revoked" -> {
            String deviceId = frame.getString("deviceId");
            if (deviceId != null && !deviceId.equals(identity.deviceId())) {
              removeFor(ch, m -> m.deviceId().equals(deviceId), "revoked device " + deviceId);
            }
          }
          default -> {
            // removed: the handshake that removed this device came first
          }
        }
      }
      case "error" -> LOG.warn("realtime error: {}", frame.encode());
      default -> {
        // ack, pong: nothing to do
      }
    }
  }

  private Future<Void> onReady(JsonObject frame) {
    String deviceId = frame.getString("deviceId");
    if (!requireKeys().deviceId().equals(deviceId)) {
      return Future.failedFuture(
          new UntrustedServerException("realtime connection is for device " + deviceId));
    }
    Set<String> listed = new LinkedHashSet<>();
    JsonArray listedChannels = frame.getJsonArray("channels", new JsonArray());
    for (int i = 0; i < listedChannels.size(); i++) {
      JsonObject c = listedChannels.getJsonObject(i);
      Channel ch = state(c.getString("id"));
      ch.serverAck = c.getLong("lastAck", 0L);
      ch.ackedSeq = Math.max(ch.ackedSeq, ch.serverAck);
      listed.add(ch.id);
    }
    // channels followed here but not listed: this device left them while offline
    for (Channel ch : channels.values()) {
      if (ch.active() && !listed.contains(ch.id)) {
        ch.log = null;
        emit(new ChannelEvent.Removed(ch.id, -1));
      }
    }
    return client
        .welcomes()
        .compose(
            welcomes -> {
              List<Future<Void>> work = new ArrayList<>();
              for (int i = 0; i < welcomes.size(); i++) {
                JsonObject w = welcomes.getJsonObject(i);
                Channel ch = state(w.getString("channelId"));
                work.add(welcome(ch, w).recover(e -> warned(ch, "welcome", e)));
              }
              for (String id : listed) {
                Channel ch = channels.get(id);
                work.add(
                    serial(
                            ch,
                            () ->
                                ch.log == null && !ch.stranded && options.followAll()
                                    ? resyncInternal(ch, 0)
                                    : done())
                        .recover(e -> warned(ch, "resync", e)));
              }
              return Future.join(work).<Void>mapEmpty();
            })
        .compose(
            v -> {
              topUpKeyPackages().onFailure(e -> LOG.warn("key package top-up", e));
              return done();
            });
  }

  private Future<Void> onLiveEntry(Channel ch, LogEntry entry) {
    if (!ch.active() || entry.seq() <= ch.log.processedSeq()) {
      // not joined yet (the join catches up) or already processed (a replay after reconnecting)
      return done();
    }
    if (entry.seq() > ch.log.processedSeq() + 1) {
      return catchUpInternal(ch);
    }
    return afterApplying(ch, List.of(entry));
  }

  private Future<Void> welcome(Channel ch, JsonObject w) {
    long seq = w.getLong("seq");
    long epoch = w.getLong("epoch");
    byte[] welcome = LiaisonClient.unb64(w.getString("welcome"));
    return serial(ch, () -> ch.active() ? done() : joinInternal(ch, seq, epoch, welcome));
  }

  // ---- channels -----------------------------------------------------------------------------

  /** Creates a channel with this device as its only member; answers its id. */
  public Future<String> createChannel(String kind, ChannelPolicy policy, ChannelMeta meta) {
    return run(
        () -> {
          requireKeys();
          ChannelGroupId groupId = ChannelGroupId.create(policy);
          ChannelSession session =
              ChannelSession.create(identity, groupId.encode(), trustFor(policy));
          JsonObject sealedMeta =
              new JsonObject()
                  .put("epoch", session.epoch())
                  .put("ciphertext", LiaisonClient.b64(meta.encrypt(ChannelMeta.key(session))));
          return client
              .createChannel(
                  groupId.encode(),
                  kind,
                  PolicyJson.toJson(policy),
                  session.groupInfo(),
                  sealedMeta)
              .map(
                  json -> {
                    String id = groupId.channelIdHex();
                    if (!id.equals(json.getString("id"))) {
                      throw new UntrustedServerException(
                          "server named the new channel " + json.getString("id"));
                    }
                    Channel ch = state(id);
                    ch.groupId = groupId;
                    ch.kind = kind;
                    ch.meta = Optional.of(meta);
                    ch.log = new ChannelLog(id, session, 0);
                    return id;
                  });
        });
  }

  /** The channels this device is in, with names where it can read them. */
  public Future<List<ChannelInfo>> channels() {
    return run(
        () ->
            client
                .channels()
                .map(
                    items -> {
                      List<ChannelInfo> out = new ArrayList<>();
                      for (int i = 0; i < items.size(); i++) {
                        out.add(info(items.getJsonObject(i)));
                      }
                      return out;
                    }));
  }

  public Future<ChannelInfo> channel(String channelId) {
    return run(() -> client.channel(channelId).map(this::info));
  }

  /**
   * Adds every active device of these users: claims their key packages, commits (refused here first
   * when a device's attestation does not meet the channel policy), and on a lost race catches up
   * and commits again. The Welcome goes to the new devices through the server.
   */
  public Future<Committed> addMembers(String channelId, List<String> userIds) {
    return onChannel(
        channelId,
        ch ->
            client
                .claimKeyPackages(userIds)
                .compose(
                    claim -> {
                      JsonArray missing = claim.getJsonArray("missing", new JsonArray());
                      if (!missing.isEmpty()) {
                        return Future.failedFuture(
                            new IllegalStateException(
                                "no active device to add for " + missing.encode()));
                      }
                      JsonArray items = claim.getJsonArray("items", new JsonArray());
                      Map<String, byte[]> packages = new HashMap<>();
                      for (int i = 0; i < items.size(); i++) {
                        JsonObject item = items.getJsonObject(i);
                        packages.put(
                            item.getString("deviceId"),
                            LiaisonClient.unb64(item.getString("keyPackage")));
                      }
                      return commit(
                          ch,
                          session -> {
                            List<byte[]> toAdd =
                                packages.entrySet().stream()
                                    .filter(
                                        p ->
                                            session.members().stream()
                                                .noneMatch(m -> m.deviceId().equals(p.getKey())))
                                    .map(Map.Entry::getValue)
                                    .toList();
                            return toAdd.isEmpty() ? null : session.add(toAdd);
                          },
                          true,
                          0);
                    }));
  }

  /** Removes every device of these users from the channel. */
  public Future<Committed> removeMembers(String channelId, List<String> userIds) {
    return onChannel(
        channelId,
        ch -> {
          String self = identity.deviceId();
          if (ch.log.session().members().stream()
              .noneMatch(m -> userIds.contains(m.userId()) && !m.deviceId().equals(self))) {
            return Future.failedFuture(
                new MlsException(MlsException.Reason.NO_SUCH_MEMBER, "no such member"));
          }
          return commit(
              ch,
              session ->
                  session.members().stream()
                          .anyMatch(m -> userIds.contains(m.userId()) && !m.deviceId().equals(self))
                      ? session.remove(
                          m -> userIds.contains(m.userId()) && !m.deviceId().equals(self))
                      : null,
              true,
              0);
        });
  }

  /**
   * Asks to leave the channel: MLS does not let a member commit its own removal, so the server
   * tells the other members, and one of them commits it ({@link ChannelEvent.Removed} follows).
   */
  public Future<Void> leave(String channelId) {
    return run(() -> client.leaveChannel(channelId).mapEmpty());
  }

  /**
   * A member asked to leave, or a device was revoked: every member that hears of it commits the
   * removal; the first wins and the others, rebased, find nothing left to remove.
   */
  private void removeFor(
      Channel ch, java.util.function.Predicate<ChannelSession.Member> which, String why) {
    serial(
            ch,
            () ->
                !ch.active()
                    ? done()
                    : commit(
                            ch,
                            session ->
                                session.members().stream().anyMatch(which)
                                    ? session.remove(which)
                                    : null,
                            true,
                            0)
                        .<Void>mapEmpty())
        .onFailure(e -> warn(ch, "removal for " + why, e));
  }

  /** A fresh leaf key for this device in the channel (post-compromise security). */
  public Future<Committed> update(String channelId) {
    return onChannel(channelId, ch -> commit(ch, ChannelSession::update, false, 0));
  }

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
    return onChannel(
        channelId,
        ch -> {
          byte[] payload = TextPayload.text(text, options.clock().instant()).encode();
          return sendAttempt(ch, clientMessageId, payload, -1, null, 0);
        });
  }

  private Future<Sent> sendAttempt(
      Channel ch, String cmid, byte[] payload, long epoch, byte[] ciphertext, int attempt) {
    ChannelSession session = activeSession(ch);
    if (ciphertext == null || epoch != session.epoch()) {
      epoch = session.epoch();
      ciphertext = session.protect(new byte[0], payload);
    }
    long sentEpoch = epoch;
    byte[] sent = ciphertext;
    return client
        .postMessage(ch.id, sentEpoch, cmid, sent)
        .map(ok -> new Sent(ch.id, ok.getLong("seq"), cmid))
        .recover(
            e -> {
              if (attempt + 1 >= options.maxAttempts()) {
                return Future.failedFuture(e);
              }
              if (wrongEpoch(e)) {
                return catchUpInternal(ch)
                    .compose(v -> sendAttempt(ch, cmid, payload, -1, null, attempt + 1));
              }
              if (!(e instanceof LiaisonException)) {
                // the connection failed: the server may or may not have stored it; the same id
                // and bytes make the retry safe either way
                return later(attempt)
                    .compose(v -> sendAttempt(ch, cmid, payload, sentEpoch, sent, attempt + 1));
              }
              return Future.failedFuture(e);
            });
  }

  /** Reads the channel's log from the last processed entry to the end. */
  public Future<Void> catchUp(String channelId) {
    return onChannel(channelId, this::catchUpInternal);
  }

  /**
   * Rejoins a channel by external commit from its latest GroupInfo (after losing state). Entries
   * before the rejoin are unreadable and reported as such.
   */
  public Future<Void> resync(String channelId) {
    return run(
        () -> {
          requireKeys();
          Channel ch = state(channelId);
          return serial(ch, () -> resyncInternal(ch, 0));
        });
  }

  // ---- commits ------------------------------------------------------------------------------

  private Future<Committed> commit(
      Channel ch,
      Function<ChannelSession, ChannelSession.PendingCommit> make,
      boolean membership,
      int attempt) {
    ChannelSession session = activeSession(ch);
    long epoch = session.epoch();
    ChannelSession.PendingCommit pending = make.apply(session);
    if (pending == null) {
      // a rebase found the change already made by the commit that won
      return Future.succeededFuture(new Committed(ch.id, ch.log.processedSeq(), epoch));
    }
    return client
        .postCommit(ch.id, epoch, pending.commit(), pending.welcome(), pending.next().groupInfo())
        .compose(
            ok -> {
              long seq = ok.getLong("seq");
              ch.log.commitAccepted(seq, pending.next());
              return catchUpInternal(ch)
                  .compose(v -> membership ? writeMeta(ch) : done())
                  .map(v -> new Committed(ch.id, seq, pending.next().epoch()));
            },
            e -> {
              if (wrongEpoch(e) && attempt + 1 < options.maxAttempts()) {
                long current = ((LiaisonException) e).details().getLong("currentEpoch", epoch + 1);
                emit(new ChannelEvent.Rebased(ch.id, epoch, current));
                return catchUpInternal(ch).compose(v -> commit(ch, make, membership, attempt + 1));
              }
              return Future.failedFuture(e);
            });
  }

  /**
   * After a membership change, the name again under the new epoch: joiners read it, leavers not.
   */
  private Future<Void> writeMeta(Channel ch) {
    if (ch.meta.isEmpty() || !ch.active()) {
      return done();
    }
    ChannelSession session = ch.log.session();
    return client
        .putMeta(ch.id, session.epoch(), ch.meta.get().encrypt(ChannelMeta.key(session)))
        .<Void>mapEmpty()
        .recover(e -> warned(ch, "meta", e));
  }

  // ---- following the log --------------------------------------------------------------------

  private Future<Void> catchUpInternal(Channel ch) {
    if (!ch.active()) {
      return done();
    }
    long after = ch.log.processedSeq();
    return client
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
                emit(
                    new ChannelEvent.HistoryUnavailable(
                        ch.id,
                        after + 1,
                        first.seq() - 1,
                        ChannelEvent.HistoryUnavailable.Why.EXPIRED));
                if (!ch.log.canReadFrom(first)) {
                  // commits expired too: this session cannot follow any more
                  return resyncInternal(ch, 0);
                }
                ch.log.skipTo(first.seq() - 1);
              }
              return afterApplying(ch, entries)
                  .compose(v -> ch.active() ? catchUpInternal(ch) : done());
            });
  }

  /** Applies entries in order; on a lost session, resyncs; schedules the ack. */
  private Future<Void> afterApplying(Channel ch, List<LogEntry> entries) {
    for (LogEntry entry : entries) {
      if (!ch.active()) {
        break;
      }
      ChannelLog log = ch.log;
      ChannelLog.Outcome outcome = log.apply(entry);
      outcome.message().ifPresent(this::deliver);
      outcome.event().ifPresent(this::emit);
    }
    if (ch.log != null && ch.log.state() == ChannelLog.State.LOST) {
      LOG.warn("channel {}: {}; resyncing", ch.id, ch.log.lostBecause());
      return resyncInternal(ch, 0);
    }
    scheduleAck(ch);
    return done();
  }

  private Future<Void> joinInternal(Channel ch, long seq, long epoch, byte[] welcome) {
    return loadChannel(ch)
        .compose(
            json -> {
              Trust trust = trustFor(ch.groupId.policy());
              List<KeyPackageSecrets> candidates = new ArrayList<>(oneTime);
              if (lastResort != null) {
                candidates.add(lastResort);
              }
              candidates.addAll(retiredLastResorts);
              ChannelSession session = null;
              for (KeyPackageSecrets candidate : candidates) {
                try {
                  session = ChannelSession.join(identity, candidate, welcome, trust);
                  oneTime.remove(candidate);
                  break;
                } catch (MlsException e) {
                  if (e.reason() == MlsException.Reason.UNTRUSTED_MEMBER) {
                    emit(new ChannelEvent.Refused(ch.id, seq, e.getMessage()));
                    return done();
                  }
                }
              }
              if (session == null && !options.followAll()) {
                return done();
              }
              if (session == null) {
                // the Welcome is for a key package of an earlier run: rejoin from the GroupInfo
                LOG.info("channel {}: no key package secrets for its Welcome; resyncing", ch.id);
                return resyncInternal(ch, 0)
                    .onSuccess(
                        v -> {
                          if (ch.active()) {
                            emit(
                                new ChannelEvent.Joined(
                                    ch.id, ch.log.processedSeq(), ch.log.session().epoch()));
                          }
                        });
              }
              if (!Arrays.equals(session.groupId(), ch.groupId.encode())) {
                emit(new ChannelEvent.Refused(ch.id, seq, "the Welcome is for another group"));
                return done();
              }
              if (session.epoch() != epoch) {
                LOG.warn(
                    "channel {}: Welcome for epoch {} opened at {}", ch.id, epoch, session.epoch());
              }
              ChannelSession joined = session;
              ch.log = new ChannelLog(ch.id, joined, seq);
              LOG.info("channel {}: joined from a Welcome at #{}", ch.id, seq);
              readMeta(ch, json.getJsonObject("meta"));
              emit(new ChannelEvent.Joined(ch.id, seq, session.epoch()));
              topUpKeyPackages().onFailure(e -> LOG.warn("key package top-up", e));
              return catchUpInternal(ch).onComplete(v -> ackNow(ch));
            });
  }

  private Future<Void> resyncInternal(Channel ch, int attempt) {
    requireKeys();
    return loadChannel(ch)
        .compose(
            json -> {
              JsonArray members = json.getJsonArray("members", new JsonArray());
              boolean alone = true;
              for (int i = 0; i < members.size(); i++) {
                alone &= identity.deviceId().equals(members.getJsonObject(i).getString("deviceId"));
              }
              if (alone) {
                ch.log = null;
                ch.stranded = true;
                emit(
                    new ChannelEvent.Stranded(
                        ch.id,
                        "this device is the channel's only member: bcmls cannot commit a"
                            + " one-member epoch, so it cannot rejoin by external commit"));
                return Future.<byte[]>failedFuture(
                    new IllegalStateException("cannot rejoin " + ch.id + ": only member"));
              }
              return client.groupInfo(ch.id);
            })
        .compose(
            groupInfo -> {
              ChannelSession.PendingCommit pending;
              try {
                Trust trust = trustFor(ch.groupId.policy());
                pending = ChannelSession.resync(identity, groupInfo, trust);
              } catch (MlsException e) {
                if (e.reason() == MlsException.Reason.UNTRUSTED_MEMBER) {
                  emit(new ChannelEvent.Refused(ch.id, -1, e.getMessage()));
                  return done();
                }
                emit(new ChannelEvent.Stranded(ch.id, "cannot rejoin: " + e.getMessage()));
                throw e;
              }
              ChannelSession next = pending.next();
              if (!Arrays.equals(next.groupId(), ch.groupId.encode())) {
                throw new UntrustedServerException("the GroupInfo is for another group");
              }
              long from = 1 + Math.max(ch.serverAck, ch.log == null ? 0 : ch.log.processedSeq());
              return client
                  .postCommit(
                      ch.id, next.epoch() - 1, pending.commit(), Optional.empty(), next.groupInfo())
                  .compose(
                      ok -> {
                        long seq = ok.getLong("seq");
                        LOG.info("channel {}: rejoined by external commit at #{}", ch.id, seq);
                        ch.log = new ChannelLog(ch.id, next, seq);
                        ch.ackedSeq = Math.max(ch.ackedSeq, seq);
                        if (from < seq) {
                          emit(
                              new ChannelEvent.HistoryUnavailable(
                                  ch.id,
                                  from,
                                  seq - 1,
                                  ChannelEvent.HistoryUnavailable.Why.RESYNCED));
                        }
                        return client
                            .markRead(ch.id, seq)
                            .<Void>mapEmpty()
                            .recover(e -> warned(ch, "read marker", e))
                            .compose(v -> writeMeta(ch))
                            .compose(v -> catchUpInternal(ch));
                      },
                      e -> {
                        if (wrongEpoch(e) && attempt + 1 < options.maxAttempts()) {
                          return resyncInternal(ch, attempt + 1);
                        }
                        return Future.failedFuture(e);
                      });
            });
  }

  /** Reads the server's channel record and checks it against its own group id. */
  private Future<JsonObject> loadChannel(Channel ch) {
    return client
        .channel(ch.id)
        .map(
            json -> {
              ChannelGroupId groupId = groupIdOf(json);
              if (ch.groupId != null && !ch.groupId.equals(groupId)) {
                throw new UntrustedServerException("channel " + ch.id + " changed its group id");
              }
              ch.groupId = groupId;
              ch.kind = json.getString("kind");
              readMeta(ch, json.getJsonObject("meta"));
              return json;
            });
  }

  private ChannelGroupId groupIdOf(JsonObject json) {
    String id = json.getString("id");
    ChannelGroupId groupId;
    try {
      groupId = ChannelGroupId.decode(LiaisonClient.unb64(json.getString("groupId")));
    } catch (DecodeException | IllegalArgumentException e) {
      throw new UntrustedServerException("channel " + id + " has no Liaison group id");
    }
    if (!groupId.channelIdHex().equals(id)) {
      throw new UntrustedServerException("channel " + id + " has the group id of another channel");
    }
    ChannelPolicy stated = PolicyJson.fromJson(json.getJsonObject("policy"));
    if (!stated.equals(groupId.policy())) {
      throw new UntrustedServerException(
          "channel "
              + id
              + ": the server states "
              + stated.describe()
              + ", the group id says "
              + groupId.policy().describe());
    }
    return groupId;
  }

  private void readMeta(Channel ch, JsonObject meta) {
    if (meta == null || ch.log == null) {
      return;
    }
    Optional<byte[]> key = ch.log.metaKey(meta.getLong("epoch", -1L));
    if (key.isEmpty()) {
      return;
    }
    try {
      ch.meta =
          Optional.of(
              ChannelMeta.decrypt(key.get(), LiaisonClient.unb64(meta.getString("ciphertext"))));
    } catch (IllegalArgumentException e) {
      LOG.warn("channel {}: meta does not decrypt", ch.id);
    }
  }

  private ChannelInfo info(JsonObject json) {
    ChannelGroupId groupId = groupIdOf(json);
    Channel ch = channels.get(groupId.channelIdHex());
    if (ch != null) {
      readMeta(ch, json.getJsonObject("meta"));
    }
    List<MemberRef> members = LogEntry.memberRefs(json.getJsonArray("members"));
    List<String> owners = new ArrayList<>();
    json.getJsonArray("owners", new JsonArray()).forEach(o -> owners.add(String.valueOf(o)));
    return new ChannelInfo(
        groupId.channelIdHex(),
        json.getString("kind"),
        groupId.policy(),
        json.getLong("epoch", 0L),
        owners,
        members,
        ch == null ? Optional.empty() : ch.meta,
        json.getLong("firstSeq", 1L),
        ch != null && ch.active());
  }

  // ---- acknowledgements ---------------------------------------------------------------------

  private void scheduleAck(Channel ch) {
    if (ch.ackTimer || !ch.active() || ch.log.processedSeq() <= ch.ackedSeq) {
      return;
    }
    ch.ackTimer = true;
    vertx.setTimer(
        Math.max(1, options.ackDelay().toMillis()),
        t ->
            context.runOnContext(
                v -> {
                  ch.ackTimer = false;
                  ackNow(ch);
                }));
  }

  private void ackNow(Channel ch) {
    if (!ch.active() || ch.log.processedSeq() <= ch.ackedSeq) {
      return;
    }
    long seq = ch.log.processedSeq();
    ch.ackedSeq = seq;
    if (socket != null) {
      socket.writeTextMessage(
          new JsonObject().put("type", "ack").put("channelId", ch.id).put("seq", seq).encode());
    } else {
      client.markRead(ch.id, seq).onFailure(e -> warn(ch, "read marker", e));
    }
  }

  // ---- plumbing -----------------------------------------------------------------------------

  private Trust trustFor(ChannelPolicy policy) {
    return Trust.attestedBy(rootKey, options.clock(), policy);
  }

  private Channel state(String id) {
    return channels.computeIfAbsent(LiaisonClient.requireChannelId(id), Channel::new);
  }

  private ChannelSession activeSession(Channel ch) {
    if (!ch.active()) {
      throw new IllegalStateException(
          "this device is not following channel "
              + ch.id
              + (ch.log == null ? "" : " (" + ch.log.state().name().toLowerCase() + ")"));
    }
    return ch.log.session();
  }

  /**
   * Runs an operation in the channel's queue; a channel this run holds no state for is resynced.
   */
  private <T> Future<T> onChannel(String channelId, Function<Channel, Future<T>> operation) {
    return run(
        () -> {
          requireKeys();
          Channel ch = state(channelId);
          return serial(
              ch,
              () ->
                  (ch.log == null ? resyncInternal(ch, 0) : done())
                      .compose(v -> operation.apply(ch)));
        });
  }

  private <T> Future<T> run(Supplier<Future<T>> task) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> safely(task).onComplete(promise));
    return promise.future();
  }

  private <T> Future<T> serial(Channel ch, Supplier<Future<T>> task) {
    Future<T> result = ch.queue.transform(ignored -> safely(task));
    ch.queue = result.transform(ignored -> done());
    return result;
  }

  private static <T> Future<T> safely(Supplier<Future<T>> task) {
    try {
      return task.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private Future<Void> later(int attempt) {
    Promise<Void> promise = Promise.promise();
    vertx.setTimer(
        200L << Math.min(attempt, 5), t -> context.runOnContext(v -> promise.complete()));
    return promise.future();
  }

  private static boolean wrongEpoch(Throwable e) {
    return LiaisonException.hasCode(e, "wrong-epoch");
  }

  private static Future<Void> done() {
    return Future.succeededFuture();
  }

  private void deliver(ChannelMessage message) {
    try {
      messageHandler.accept(message);
    } catch (RuntimeException e) {
      LOG.warn("message handler failed", e);
    }
  }

  private void emit(ChannelEvent event) {
    if (event instanceof ChannelEvent.Dropped
        || event instanceof ChannelEvent.Refused
        || event instanceof ChannelEvent.Stranded) {
      LOG.warn("{}", event);
    }
    try {
      eventHandler.accept(event);
    } catch (RuntimeException e) {
      LOG.warn("event handler failed", e);
    }
  }

  private void warn(Channel ch, String what, Throwable e) {
    LOG.warn("channel {}: {} failed: {}", ch.id, what, e.toString());
  }

  private Future<Void> warned(Channel ch, String what, Throwable e) {
    warn(ch, what, e);
    return done();
  }

  @Override
  public void close() {
    WebSocket open = socket;
    socket = null;
    if (open != null) {
      open.close();
    }
    if (webSockets != null) {
      webSockets.close();
    }
  }

  @Override
  public String toString() {
    return "LiaisonDevice["
        + (keys == null ? "unregistered" : keys.userId() + "/" + keys.deviceId())
        + "]";
  }
}
