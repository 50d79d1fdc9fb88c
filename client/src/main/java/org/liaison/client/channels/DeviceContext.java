package org.liaison.client.channels;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.liaison.client.LiaisonClient;
import org.liaison.client.LiaisonException;
import org.liaison.crypto.attestation.AttestationRevocations;
import org.liaison.crypto.mls.ChannelPolicy;
import org.liaison.crypto.mls.Trust;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every part of a {@link LiaisonDevice} shares: the signed-in client, the one Vert.x context
 * all state changes run on, the options and the trusted network root, this run's channels, and
 * where messages and events go.
 */
final class DeviceContext {
  /** Every part logs as the device: one category for operators to tune, as before the split. */
  static final Logger LOG = LoggerFactory.getLogger(LiaisonDevice.class);

  final LiaisonClient client;
  final LiaisonDevice.Options options;
  private final Vertx vertx;
  private final Context context;
  private final byte[] rootKey;
  private final AttestationRevocations revoked = new AttestationRevocations();
  private final Map<String, ChannelState> channels = new HashMap<>();
  private Consumer<ChannelMessage> messageHandler = m -> {};
  private Consumer<ChannelEvent> eventHandler = e -> {};
  private Consumer<JsonObject> documentFrames = f -> {};
  private Consumer<ChannelEvent.MembersChanged> membersChanged = e -> {};
  private LiaisonDevice.CommitListener commitListener = (id, before, after) -> done();

  DeviceContext(LiaisonClient client, byte[] rootKey, LiaisonDevice.Options options) {
    this.client = client;
    this.vertx = client.vertx();
    this.context = vertx.getOrCreateContext();
    this.rootKey = rootKey.clone();
    this.options = options;
  }

  Vertx vertx() {
    return vertx;
  }

  /** The network root's public key this device was configured with (not a copy: do not change). */
  byte[] rootKey() {
    return rootKey;
  }

  /**
   * The network's attestation revocation list as this device has read it ({@link NetworkTrust});
   * only grows.
   */
  AttestationRevocations revoked() {
    return revoked;
  }

  /**
   * Members of a channel with this policy must carry a chain from the configured root whose device
   * attestation the network has not revoked (checked again when the list grows).
   */
  Trust trustFor(ChannelPolicy policy) {
    return Trust.attestedBy(rootKey, options.clock(), policy, revoked);
  }

  // ---- channels of this run -----------------------------------------------------------------

  /** The channel's state in this run, created empty on first mention. */
  ChannelState channel(String id) {
    return channels.computeIfAbsent(LiaisonClient.requireChannelId(id), ChannelState::new);
  }

  /** The channel's state if this run has mentioned it, else null. */
  ChannelState existing(String id) {
    return channels.get(id);
  }

  Collection<ChannelState> channels() {
    return channels.values();
  }

  // ---- running on the device's context ------------------------------------------------------

  /** Runs {@code task} on the device's context; a task that throws fails the answer. */
  <T> Future<T> run(Supplier<Future<T>> task) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> safely(task).onComplete(promise));
    return promise.future();
  }

  /** Runs {@code action} on the device's context after {@code millis}. */
  void after(long millis, Runnable action) {
    vertx.setTimer(millis, t -> context.runOnContext(v -> action.run()));
  }

  /** Completes after a back-off that doubles with each attempt (200 ms up to 6.4 s). */
  Future<Void> later(int attempt) {
    Promise<Void> promise = Promise.promise();
    after(200L << Math.min(attempt, 5), promise::complete);
    return promise.future();
  }

  static <T> Future<T> safely(Supplier<Future<T>> task) {
    try {
      return task.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** The server refused a commit or message for an epoch the channel has moved past. */
  static boolean wrongEpoch(Throwable e) {
    return LiaisonException.hasCode(e, "wrong-epoch");
  }

  static Future<Void> done() {
    return Future.succeededFuture();
  }

  // ---- where messages and events go ---------------------------------------------------------

  void onMessage(Consumer<ChannelMessage> handler) {
    this.messageHandler = handler;
  }

  void onEvent(Consumer<ChannelEvent> handler) {
    this.eventHandler = handler;
  }

  /** Hands a message to the application; a failing handler must not stop the log. */
  void deliver(ChannelMessage message) {
    try {
      messageHandler.accept(message);
    } catch (RuntimeException e) {
      LOG.warn("message handler failed", e);
    }
  }

  void onDocumentFrame(Consumer<JsonObject> handler) {
    this.documentFrames = handler;
  }

  void onMembersChanged(Consumer<ChannelEvent.MembersChanged> listener) {
    this.membersChanged = listener;
  }

  void onOwnCommit(LiaisonDevice.CommitListener listener) {
    this.commitListener = listener;
  }

  /** A {@code document-*} realtime frame, for the documents part; a failing handler is logged. */
  void documentFrame(JsonObject frame) {
    try {
      documentFrames.accept(frame);
    } catch (RuntimeException e) {
      LOG.warn("document frame handler failed", e);
    }
  }

  /** After this device's commit took effect: best effort, as the channel meta. */
  Future<Void> ownCommitted(
      ChannelState ch,
      org.liaison.crypto.mls.ChannelSession before,
      org.liaison.crypto.mls.ChannelSession after) {
    return safely(() -> commitListener.committed(ch.id, before, after))
        .recover(e -> warned(ch, "after-commit work", e));
  }

  void emit(ChannelEvent event) {
    if (event instanceof ChannelEvent.Dropped
        || event instanceof ChannelEvent.Refused
        || event instanceof ChannelEvent.Stranded) {
      LOG.warn("{}", event);
    }
    try {
      eventHandler.accept(event);
      if (event instanceof ChannelEvent.MembersChanged changed) {
        membersChanged.accept(changed);
      }
    } catch (RuntimeException e) {
      LOG.warn("event handler failed", e);
    }
  }

  void warn(ChannelState ch, String what, Throwable e) {
    LOG.warn("channel {}: {} failed: {}", ch.id, what, e.toString());
  }

  /** Logs a failure of work that is best effort, and carries on. */
  Future<Void> warned(ChannelState ch, String what, Throwable e) {
    warn(ch, what, e);
    return done();
  }
}
