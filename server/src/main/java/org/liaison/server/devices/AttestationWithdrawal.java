package org.liaison.server.devices;

import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.liaison.server.accounts.User;
import org.liaison.server.accounts.UserDevices;
import org.liaison.server.audit.AuditLog;
import org.liaison.server.devices.AttestationRevocation.Reason;
import org.liaison.server.devices.AttestationRevocation.Revoked;

/**
 * What a change to a user does to their devices' attestations, which state the user's tier, role,
 * sector and city: after a tier or role change every active device goes back to pending without its
 * attestation (audited per device), the withdrawn attestations go on the revocation list, and the
 * coordinators who manage the user are told to confirm the devices again. A suspension leaves the
 * devices as they are (their sessions already ended) but revokes their attestations too.
 */
public final class AttestationWithdrawal implements UserDevices {
  private final DeviceRepository devices;
  private final AttestationRevocations revocations;
  private final AuditLog audit;
  private final EventBus events;
  private final CoordinatorAttestations coordinatorAttestations;

  public AttestationWithdrawal(
      DeviceRepository devices,
      AttestationRevocations revocations,
      AuditLog audit,
      EventBus events,
      CoordinatorAttestations coordinatorAttestations) {
    this.devices = devices;
    this.revocations = revocations;
    this.audit = audit;
    this.events = events;
    this.coordinatorAttestations = coordinatorAttestations;
  }

  @Override
  public Future<Void> attestationsWithdrawn(User actor, User user, Change change) {
    Future<Void> devicesWithdrawn =
        switch (change) {
          case TIER_CHANGED -> backToPending(actor, user, Reason.TIER_CHANGED, true);
          case TIER_RAISED -> backToPending(actor, user, Reason.TIER_CHANGED, false);
          case ROLE_CHANGED -> backToPending(actor, user, Reason.ROLE_CHANGED, true);
          case USER_SUSPENDED -> suspended(user);
        };
    return devicesWithdrawn.compose(v -> coordinatorAttestationWithdrawn(user, change));
  }

  /**
   * A coordinator attestation states the tier and city scope the user held, so any change takes it
   * back (the coordinator asks again with the same key). It goes on the revocation list unless the
   * tier was only raised: what it states is still at most what the user holds.
   */
  private Future<Void> coordinatorAttestationWithdrawn(User user, Change change) {
    Reason reason =
        switch (change) {
          case TIER_CHANGED, TIER_RAISED -> Reason.TIER_CHANGED;
          case ROLE_CHANGED -> Reason.ROLE_CHANGED;
          case USER_SUSPENDED -> Reason.USER_SUSPENDED;
        };
    return coordinatorAttestations
        .withdraw(user)
        .compose(
            withdrawn ->
                withdrawn.isEmpty() || change == Change.TIER_RAISED
                    ? Future.succeededFuture()
                    : revocations.append(
                        List.of(Revoked.ofCoordinator(user.id(), withdrawn.get(), reason))))
        .mapEmpty();
  }

  @Override
  public Future<Map<String, Integer>> pendingConfirmation(Collection<String> userIds) {
    return devices
        .pendingOf(userIds)
        .map(
            pending ->
                pending.stream()
                    .collect(Collectors.groupingBy(Device::userId, Collectors.summingInt(d -> 1))));
  }

  private Future<Void> suspended(User user) {
    return devices
        .ofUsers(List.of(user.id()))
        .compose(
            found ->
                revocations.append(
                    found.stream()
                        .filter(d -> d.active() && d.attestation().isPresent())
                        .map(d -> Revoked.of(d, d.attestation().get(), Reason.USER_SUSPENDED))
                        .toList()))
        .mapEmpty();
  }

  private Future<Void> backToPending(User actor, User user, Reason reason, boolean revoke) {
    return devices
        .ofUsers(List.of(user.id()))
        .compose(
            found -> {
              // One conditional update each: a device revoked meanwhile stays revoked.
              List<Future<Optional<Device>>> withdrawals =
                  found.stream()
                      .filter(Device::active)
                      .map(d -> devices.withdrawAttestation(d.id()))
                      .toList();
              return Future.all(withdrawals)
                  .map(
                      v ->
                          withdrawals.stream()
                              .map(Future::result)
                              .flatMap(Optional::stream)
                              .filter(d -> d.attestation().isPresent())
                              .toList());
            })
        .compose(
            withdrawn ->
                Future.all(withdrawn.stream().map(d -> audited(actor, user, d, reason)).toList())
                    .compose(
                        v ->
                            revocations.append(
                                withdrawn.stream()
                                    .filter(d -> revoke)
                                    .map(d -> Revoked.of(d, d.attestation().get(), reason))
                                    .toList()))
                    .<Void>map(
                        added -> {
                          if (!withdrawn.isEmpty()) {
                            DeviceNotices.confirmationsNeeded(
                                events, user, DeviceNotices.Waiting.CHANGED);
                          }
                          // The devices as they were: each is pending now.
                          withdrawn.forEach(
                              d -> DeviceNotices.statusChanged(events, d, DeviceStatus.PENDING));
                          return null;
                        }));
  }

  private Future<?> audited(User actor, User owner, Device device, Reason reason) {
    return audit.append(
        actor.id(),
        "device.attestation-invalidated",
        device.id(),
        owner.cityId(),
        Map.of("owner", owner.id(), "reason", reason.wire()));
  }
}
