package org.liaison.client.channels;

import static org.liaison.client.channels.DeviceContext.LOG;
import static org.liaison.client.channels.DeviceContext.done;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import org.liaison.client.LiaisonClient;
import org.liaison.crypto.mls.ChannelSession;
import org.liaison.crypto.mls.KeyPackageSecrets;
import org.liaison.crypto.mls.MlsException;
import org.liaison.crypto.mls.Trust;

/**
 * Joining a channel from a Welcome another member's commit sent to this device: opened with one of
 * this run's key packages, checked against the channel's own group id and trust. A Welcome for a
 * key package of an earlier run (whose secrets are gone) is answered by rejoining from the
 * channel's GroupInfo instead.
 */
final class WelcomeJoin {
  private final DeviceContext ctx;
  private final DeviceRegistration device;
  private final KeyPackages keyPackages;
  private final ChannelDirectory directory;
  private final LogFollower follower;
  private final Acks acks;

  WelcomeJoin(
      DeviceContext ctx,
      DeviceRegistration device,
      KeyPackages keyPackages,
      ChannelDirectory directory,
      LogFollower follower,
      Acks acks) {
    this.ctx = ctx;
    this.device = device;
    this.keyPackages = keyPackages;
    this.directory = directory;
    this.follower = follower;
    this.acks = acks;
  }

  /**
   * Joins from a Welcome as the server serves it ({@code seq}, {@code epoch}, {@code welcome}), in
   * the channel's queue; a channel already followed ignores it.
   */
  Future<Void> join(ChannelState ch, JsonObject w) {
    long seq = w.getLong("seq");
    long epoch = w.getLong("epoch");
    byte[] welcome = LiaisonClient.unb64(w.getString("welcome"));
    return ch.serial(() -> ch.active() ? done() : join(ch, seq, epoch, welcome));
  }

  private Future<Void> join(ChannelState ch, long seq, long epoch, byte[] welcome) {
    return directory
        .load(ch)
        .compose(
            json -> {
              Trust trust = ctx.trustFor(ch.groupId.policy());
              ChannelSession session;
              try {
                session = open(welcome, trust);
              } catch (MlsException untrusted) {
                ctx.emit(new ChannelEvent.Refused(ch.id, seq, untrusted.getMessage()));
                return done();
              }
              if (session == null && !ctx.options.followAll()) {
                return done();
              }
              if (session == null) {
                return rejoinInstead(ch);
              }
              if (!Arrays.equals(session.groupId(), ch.groupId.encode())) {
                ctx.emit(new ChannelEvent.Refused(ch.id, seq, "the Welcome is for another group"));
                return done();
              }
              if (session.epoch() != epoch) {
                LOG.warn(
                    "channel {}: Welcome for epoch {} opened at {}", ch.id, epoch, session.epoch());
              }
              ch.log = new ChannelLog(ch.id, session, seq);
              LOG.info("channel {}: joined from a Welcome at #{}", ch.id, seq);
              directory.readMeta(ch, json.getJsonObject("meta"));
              ctx.emit(new ChannelEvent.Joined(ch.id, seq, session.epoch()));
              keyPackages.topUp().onFailure(e -> LOG.warn("key package top-up", e));
              return follower.catchUp(ch).onComplete(v -> acks.now(ch));
            });
  }

  /**
   * The session the Welcome opens with one of this run's key packages, or null when none does.
   * Throws {@link MlsException} ({@code UNTRUSTED_MEMBER}) when the group holds a member the
   * channel's trust refuses, ({@code INVALID_GROUP_INFO}) when a leaf's signature does not verify.
   */
  private ChannelSession open(byte[] welcome, Trust trust) {
    for (KeyPackageSecrets candidate : keyPackages.candidates()) {
      try {
        ChannelSession session = ChannelSession.join(device.identity(), candidate, welcome, trust);
        keyPackages.opened(candidate);
        return session;
      } catch (MlsException e) {
        if (e.reason() == MlsException.Reason.UNTRUSTED_MEMBER
            || e.reason() == MlsException.Reason.INVALID_GROUP_INFO) {
          // It opened with this package: the tree it carries is refused, not the package.
          throw e;
        }
        // not for this package (or not readable with it): try the next
      }
    }
    return null;
  }

  /** The Welcome is for a key package of an earlier run: rejoin from the GroupInfo. */
  private Future<Void> rejoinInstead(ChannelState ch) {
    LOG.info("channel {}: no key package secrets for its Welcome; resyncing", ch.id);
    return follower
        .resync(ch)
        .onSuccess(
            v -> {
              if (ch.active()) {
                ctx.emit(
                    new ChannelEvent.Joined(
                        ch.id, ch.log.processedSeq(), ch.log.session().epoch()));
              }
            });
  }
}
