package org.liaison.client.channels;

import static org.liaison.client.channels.DeviceContext.LOG;
import static org.liaison.client.channels.DeviceContext.wrongEpoch;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.Optional;
import org.liaison.crypto.mls.ChannelSession;
import org.liaison.crypto.mls.MlsException;
import org.liaison.crypto.mls.Trust;

/**
 * Rejoining a channel by external commit from its latest GroupInfo, for a device that lost its
 * state (a restart: bcmls cannot save a group) or whose session cannot follow the log any more.
 * Entries since the last one it processed are for keys it no longer holds, and are reported as
 * such. {@link LogFollower#resync} reads the log on from the rejoin.
 */
final class ExternalRejoin {
  private final DeviceContext ctx;
  private final DeviceRegistration device;
  private final ChannelDirectory directory;

  ExternalRejoin(DeviceContext ctx, DeviceRegistration device, ChannelDirectory directory) {
    this.ctx = ctx;
    this.device = device;
    this.directory = directory;
  }

  /**
   * Answers true once rejoined (the channel's log starts at the rejoin's commit), false when the
   * channel's trust refuses a member (reported as {@link ChannelEvent.Refused}); fails when this
   * device cannot rejoin ({@link ChannelEvent.Stranded}). A commit that lost a race is retried.
   */
  Future<Boolean> rejoin(ChannelState ch, int attempt) {
    device.requireKeys();
    return directory
        .load(ch)
        .compose(
            json -> {
              if (onlyMember(json)) {
                ch.log = null;
                ch.stranded = true;
                ctx.emit(
                    new ChannelEvent.Stranded(
                        ch.id,
                        "this device is the channel's only member: bcmls cannot commit a"
                            + " one-member epoch, so it cannot rejoin by external commit"));
                return Future.<byte[]>failedFuture(
                    new IllegalStateException("cannot rejoin " + ch.id + ": only member"));
              }
              return ctx.client.groupInfo(ch.id);
            })
        .compose(
            groupInfo -> {
              ChannelSession.PendingCommit pending;
              try {
                Trust trust = ctx.trustFor(ch.groupId.policy());
                pending = ChannelSession.resync(device.identity(), groupInfo, trust);
              } catch (MlsException e) {
                if (e.reason() == MlsException.Reason.UNTRUSTED_MEMBER) {
                  ctx.emit(new ChannelEvent.Refused(ch.id, -1, e.getMessage()));
                  return Future.succeededFuture(false);
                }
                ctx.emit(new ChannelEvent.Stranded(ch.id, "cannot rejoin: " + e.getMessage()));
                throw e;
              }
              ChannelSession next = pending.next();
              if (!Arrays.equals(next.groupId(), ch.groupId.encode())) {
                throw new UntrustedServerException("the GroupInfo is for another group");
              }
              long from = 1 + Math.max(ch.serverAck, ch.log == null ? 0 : ch.log.processedSeq());
              return ctx.client
                  .postCommit(
                      ch.id, next.epoch() - 1, pending.commit(), Optional.empty(), next.groupInfo())
                  .compose(
                      ok -> rejoined(ch, next, ok.getLong("seq"), from),
                      e -> {
                        if (wrongEpoch(e) && attempt + 1 < ctx.options.maxAttempts()) {
                          return rejoin(ch, attempt + 1);
                        }
                        return Future.failedFuture(e);
                      });
            });
  }

  /** Whether the server lists no device of the channel but this one. */
  private boolean onlyMember(JsonObject channel) {
    JsonArray members = channel.getJsonArray("members", new JsonArray());
    boolean alone = true;
    for (int i = 0; i < members.size(); i++) {
      alone &= device.identity().deviceId().equals(members.getJsonObject(i).getString("deviceId"));
    }
    return alone;
  }

  /** The external commit is entry {@code seq}: the log starts there, what came before is lost. */
  private Future<Boolean> rejoined(ChannelState ch, ChannelSession next, long seq, long from) {
    LOG.info("channel {}: rejoined by external commit at #{}", ch.id, seq);
    ch.log = new ChannelLog(ch.id, next, seq);
    ch.ackedSeq = Math.max(ch.ackedSeq, seq);
    if (from < seq) {
      ctx.emit(
          new ChannelEvent.HistoryUnavailable(
              ch.id, from, seq - 1, ChannelEvent.HistoryUnavailable.Why.RESYNCED));
    }
    return ctx.client
        .markRead(ch.id, seq)
        .<Void>mapEmpty()
        .recover(e -> ctx.warned(ch, "read marker", e))
        .compose(v -> directory.writeMeta(ch))
        .map(true);
  }
}
