package org.liaison.client.channels;

import static org.liaison.client.channels.DeviceContext.done;
import static org.liaison.client.channels.DeviceContext.wrongEpoch;

import io.vertx.core.Future;
import java.util.function.Function;
import org.liaison.client.LiaisonException;
import org.liaison.client.channels.LiaisonDevice.Committed;
import org.liaison.crypto.mls.ChannelSession;

/**
 * This device's commits: made against the current epoch, posted, and adopted when the log reaches
 * them. A commit that lost the race for its epoch is remade after catching up (a rebase), up to
 * {@link LiaisonDevice.Options#maxAttempts} times. Runs in the channel's queue.
 */
final class Commits {
  private final DeviceContext ctx;
  private final LogFollower follower;
  private final ChannelDirectory directory;

  Commits(DeviceContext ctx, LogFollower follower, ChannelDirectory directory) {
    this.ctx = ctx;
    this.follower = follower;
    this.directory = directory;
  }

  /**
   * Commits what {@code make} prepares from the current session; {@code make} answers null when
   * there is nothing (left) to commit. After a {@code membership} change the channel's meta is
   * sealed again under the new epoch.
   */
  Future<Committed> commit(
      ChannelState ch,
      Function<ChannelSession, ChannelSession.PendingCommit> make,
      boolean membership) {
    return commit(ch, make, membership, 0);
  }

  private Future<Committed> commit(
      ChannelState ch,
      Function<ChannelSession, ChannelSession.PendingCommit> make,
      boolean membership,
      int attempt) {
    ChannelSession session = ch.activeSession();
    long epoch = session.epoch();
    ChannelSession.PendingCommit pending = make.apply(session);
    if (pending == null) {
      // a rebase found the change already made by the commit that won
      return Future.succeededFuture(new Committed(ch.id, ch.log.processedSeq(), epoch));
    }
    return ctx.client
        .postCommit(ch.id, epoch, pending.commit(), pending.welcome(), pending.next().groupInfo())
        .compose(
            ok -> {
              long seq = ok.getLong("seq");
              ch.log.commitAccepted(seq, pending.next());
              return follower
                  .catchUp(ch)
                  .compose(v -> membership ? directory.writeMeta(ch) : done())
                  .compose(v -> ctx.ownCommitted(ch, session, pending.next()))
                  .map(v -> new Committed(ch.id, seq, pending.next().epoch()));
            },
            e -> {
              if (wrongEpoch(e) && attempt + 1 < ctx.options.maxAttempts()) {
                long current = ((LiaisonException) e).details().getLong("currentEpoch", epoch + 1);
                ctx.emit(new ChannelEvent.Rebased(ch.id, epoch, current));
                return follower.catchUp(ch).compose(v -> commit(ch, make, membership, attempt + 1));
              }
              return Future.failedFuture(e);
            });
  }
}
