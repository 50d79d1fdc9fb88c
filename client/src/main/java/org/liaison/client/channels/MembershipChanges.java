package org.liaison.client.channels;

import static org.liaison.client.channels.DeviceContext.done;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import org.liaison.client.LiaisonClient;
import org.liaison.client.channels.LiaisonDevice.Committed;
import org.liaison.crypto.mls.ChannelSession;
import org.liaison.crypto.mls.ChannelSession.Member;
import org.liaison.crypto.mls.MlsException;

/**
 * Adding and removing members. Each change is made from the session at commit time, so a rebased
 * commit adds or removes only what the commit that won left to do. Runs in the channel's queue,
 * except {@link #removeFor}, which queues itself.
 */
final class MembershipChanges {
  private final DeviceContext ctx;
  private final DeviceRegistration device;
  private final Commits commits;

  MembershipChanges(DeviceContext ctx, DeviceRegistration device, Commits commits) {
    this.ctx = ctx;
    this.device = device;
    this.commits = commits;
  }

  /**
   * Adds every active device of these users: claims their key packages and commits (refused here
   * first when a device's attestation does not meet the channel policy).
   */
  Future<Committed> add(ChannelState ch, List<String> userIds) {
    return ctx.client
        .claimKeyPackages(userIds)
        .compose(
            claim -> {
              JsonArray missing = claim.getJsonArray("missing", new JsonArray());
              if (!missing.isEmpty()) {
                return Future.failedFuture(
                    new IllegalStateException("no active device to add for " + missing.encode()));
              }
              Map<String, byte[]> packages = packagesByDevice(claim);
              return commits.commit(
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
                  true);
            });
  }

  /** Removes every device of these users from the channel (never this device). */
  Future<Committed> remove(ChannelState ch, List<String> userIds) {
    String self = device.identity().deviceId();
    Predicate<Member> leaving = m -> userIds.contains(m.userId()) && !m.deviceId().equals(self);
    if (ch.log.session().members().stream().noneMatch(leaving)) {
      return Future.failedFuture(
          new MlsException(MlsException.Reason.NO_SUCH_MEMBER, "no such member"));
    }
    return commits.commit(ch, removing(leaving), true);
  }

  /**
   * Removals the server says are due ({@link DueRemoval}: a member asked to leave, a device was
   * revoked, a member suspended or their tier lowered), announced live or listed in the channel's
   * record: every member that hears of them commits the removals it may make; the first wins and
   * the others, rebased, find nothing left to remove. Queues itself in the channel's queue.
   */
  void carryOut(ChannelState ch, List<DueRemoval> due) {
    ch.serial(() -> carryOutNow(ch, due))
        .onFailure(e -> ctx.warn(ch, "removal for " + DueRemoval.describe(due), e));
  }

  /**
   * As {@link #carryOut}, for a caller already in the channel's queue; nothing when this device
   * does not follow the channel or none of them names a member it may remove.
   */
  Future<Void> carryOutNow(ChannelState ch, List<DueRemoval> due) {
    if (!ch.active() || due.isEmpty()) {
      return done();
    }
    Predicate<Member> which =
        DueRemoval.anyOf(due, device.identity().userId(), device.identity().deviceId());
    return commits.commit(ch, removing(which), true).mapEmpty();
  }

  private static Function<ChannelSession, ChannelSession.PendingCommit> removing(
      Predicate<Member> which) {
    return session -> session.members().stream().anyMatch(which) ? session.remove(which) : null;
  }

  private static Map<String, byte[]> packagesByDevice(JsonObject claim) {
    JsonArray items = claim.getJsonArray("items", new JsonArray());
    Map<String, byte[]> packages = new HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      JsonObject item = items.getJsonObject(i);
      packages.put(item.getString("deviceId"), LiaisonClient.unb64(item.getString("keyPackage")));
    }
    return packages;
  }
}
