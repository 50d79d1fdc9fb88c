package org.liaison.server.devices;

import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.liaison.crypto.Ed25519;
import org.liaison.crypto.Labels;
import org.liaison.server.access.AccessRules;
import org.liaison.server.accounts.AccountDevices;
import org.liaison.server.accounts.Role;
import org.liaison.server.accounts.User;
import org.liaison.server.accounts.UserRepository;
import org.liaison.server.api.ApiError;
import org.liaison.server.api.Ids;
import org.liaison.server.audit.AuditLog;
import org.liaison.server.auth.Actor;
import org.liaison.server.auth.SessionRepository;
import org.liaison.server.events.Events;
import org.liaison.server.network.NetworkRoot;

/**
 * A user's devices and who may act on them. A session registers one device and is bound to it; a
 * later session of the same device proves the device key to bind. A device is usable once a
 * coordinator of its owner's city (or an admin) attaches a tier attestation the server verifies.
 * The owner, or whoever administers the owner (an admin; the city's coordinator for people at or
 * below its own tier and role), may revoke it, which ends its sessions, withdraws its key packages
 * and tells its sockets and channels. Someone else's device in a city one does not manage is
 * answered as absent.
 */
public final class Devices implements AccountDevices {
  private final EventBus events;
  private final DeviceRepository devices;
  private final UserRepository users;
  private final SessionRepository sessions;
  private final DeviceKeyPackages keyPackages;
  private final NetworkRoot root;
  private final AuditLog audit;
  private final AttestationRevocations revocations;
  private final Clock clock;

  public Devices(
      EventBus events,
      DeviceRepository devices,
      UserRepository users,
      SessionRepository sessions,
      DeviceKeyPackages keyPackages,
      NetworkRoot root,
      AuditLog audit,
      AttestationRevocations revocations,
      Clock clock) {
    this.events = events;
    this.devices = devices;
    this.users = users;
    this.sessions = sessions;
    this.keyPackages = keyPackages;
    this.root = root;
    this.audit = audit;
    this.revocations = revocations;
    this.clock = clock;
  }

  /**
   * Registers the device of the actor's session and binds the session to it: active at once if it
   * comes with a valid attestation, otherwise awaiting one.
   */
  public Future<Device> register(
      Actor actor, String name, byte[] signatureKey, Optional<byte[]> attestation) {
    if (actor.deviceId().isPresent()) {
      throw alreadyRegistered();
    }
    return devices
        .ofUsers(List.of(actor.user().id()))
        .compose(
            own ->
                registerNamed(
                    actor,
                    distinctName(name, own.stream().map(Device::name).toList()),
                    signatureKey,
                    attestation));
  }

  /**
   * {@code name}, or {@code name (2)}, {@code (3)}… when the member already has a device of that
   * name (revoked ones included: the list shows them too), so two browsers of the same kind can be
   * told apart.
   */
  static String distinctName(String name, List<String> taken) {
    if (!taken.contains(name)) {
      return name;
    }
    for (int n = 2; ; n++) {
      String suffix = " (" + n + ")";
      String base =
          name.length() + suffix.length() > MAX_NAME
              ? name.substring(0, MAX_NAME - suffix.length()).strip()
              : name;
      if (!taken.contains(base + suffix)) {
        return base + suffix;
      }
    }
  }

  /** The longest device name. */
  public static final int MAX_NAME = 64;

  private Future<Device> registerNamed(
      Actor actor, String name, byte[] signatureKey, Optional<byte[]> attestation) {
    Device unattested =
        new Device(
            Ids.newId(),
            actor.user().id(),
            name,
            signatureKey,
            DeviceStatus.AWAITING_ATTESTATION,
            Optional.empty(),
            clock.instant());
    Future<Device> device =
        attestation.isEmpty()
            ? Future.succeededFuture(unattested)
            : root.requireKey()
                .map(
                    rootKey -> {
                      AttestationCheck.verify(
                          rootKey, attestation.get(), unattested, actor.user(), clock.instant());
                      return new Device(
                          unattested.id(),
                          unattested.userId(),
                          name,
                          signatureKey,
                          DeviceStatus.ACTIVE,
                          attestation,
                          unattested.createdAt());
                    });
    return device
        .compose(devices::insert)
        .compose(
            inserted ->
                sessions
                    .bindDevice(actor.sessionId(), inserted.id())
                    .compose(
                        bound -> {
                          if (!bound) {
                            // Another request bound this session first; this device is unusable.
                            return devices
                                .revoke(inserted.id())
                                .compose(v -> Future.failedFuture(alreadyRegistered()));
                          }
                          return audit
                              .append(
                                  actor.user().id(),
                                  "device.registered",
                                  inserted.id(),
                                  actor.user().cityId(),
                                  Map.of("status", inserted.status().wire()))
                              .map(
                                  e -> {
                                    if (inserted.status() == DeviceStatus.AWAITING_ATTESTATION) {
                                      DeviceNotices.confirmationsNeeded(
                                          events, actor.user(), DeviceNotices.Waiting.NEW_DEVICE);
                                    }
                                    return inserted;
                                  });
                        }));
  }

  private static ApiError alreadyRegistered() {
    return ApiError.conflict(
        "device-already-registered", "This session already belongs to a device");
  }

  /** The user's own devices, in every status. */
  public Future<List<Device>> ownedBy(User user) {
    return devices.ofUsers(List.of(user.id()));
  }

  /** Another user's usable devices, as everyone sees them (for safety numbers). */
  public Future<List<Device>> activeOf(String userId) {
    return devices
        .ofUsers(List.of(userId))
        .map(found -> found.stream().filter(Device::active).toList());
  }

  /** A device awaiting attestation and its owner, as the attesting coordinator sees it. */
  public record Pending(Device device, User owner) {
    public JsonObject toJson() {
      return device
          .toJson()
          .put("tier", owner.tier().name())
          .put("sector", owner.sector().wire())
          .put("cityId", owner.cityId())
          .put("displayName", owner.displayName());
    }
  }

  /** Devices the actor should attest: those awaiting it of people it administers, and its own. */
  public Future<List<Pending>> pending(User actor) {
    if (!AccessRules.isAdmin(actor) && actor.role() != Role.CITY_COORDINATOR) {
      throw ApiError.forbidden("Only coordinators and network admins attest devices");
    }
    return devices
        .awaitingAttestation()
        .compose(
            waiting ->
                users
                    .byIds(waiting.stream().map(Device::userId).collect(Collectors.toSet()))
                    .map(
                        owners -> {
                          Map<String, User> byId =
                              owners.stream().collect(Collectors.toMap(User::id, u -> u));
                          List<Pending> pending = new ArrayList<>();
                          for (Device d : waiting) {
                            User owner = byId.get(d.userId());
                            if (owner != null && mayActOn(actor, owner)) {
                              pending.add(new Pending(d, owner));
                            }
                          }
                          return pending;
                        }));
  }

  /** The owner, or whoever administers the owner. */
  private static boolean mayActOn(User actor, User owner) {
    return owner.id().equals(actor.id()) || AccessRules.managesUser(actor, owner);
  }

  /** A new login of the same device proves it holds the device key by signing the session id. */
  public Future<Device> bindSession(Actor actor, String deviceId, byte[] signature) {
    return ownDevice(actor, deviceId)
        .compose(
            device -> {
              boolean valid =
                  Ed25519.verify(
                      device.signatureKey(),
                      Labels.DEVICE_SESSION,
                      actor.sessionId().getBytes(StandardCharsets.UTF_8),
                      signature);
              if (!valid) {
                throw new ApiError(
                    403, "bad-signature", "The signature does not prove this device's key");
              }
              if (actor.deviceId().filter(deviceId::equals).isPresent()) {
                return Future.succeededFuture(device);
              }
              return sessions
                  .bindDevice(actor.sessionId(), deviceId)
                  .map(
                      bound -> {
                        if (!bound) {
                          throw ApiError.conflict(
                              "device-already-registered",
                              "This session already belongs to another device");
                        }
                        return device;
                      });
            });
  }

  /**
   * Attaches a tier attestation after the server's own check of it; audited. Attaching the chain
   * the device already holds changes nothing and writes no entry, so repeating it cannot fill the
   * log.
   */
  public Future<Device> attest(Actor actor, String deviceId, byte[] chain) {
    return managed(actor, deviceId)
        .compose(
            pair ->
                root.requireKey()
                    .compose(
                        rootKey -> {
                          Device current = pair.getKey();
                          AttestationCheck.verify(
                              rootKey, chain, current, pair.getValue(), clock.instant());
                          if (current.active()
                              && current
                                  .attestation()
                                  .filter(a -> Arrays.equals(a, chain))
                                  .isPresent()) {
                            return Future.succeededFuture(current);
                          }
                          // Withdrawn before the owner hears it is active, so its browser's
                          // top-up then uploads packages that carry the new attestation.
                          return devices
                              .attest(deviceId, chain)
                              .compose(
                                  updated -> keyPackages.forgetDevice(deviceId).map(v -> updated))
                              .compose(updated -> audited(actor, updated));
                        }));
  }

  private Future<Device> audited(Actor actor, Optional<Device> attested) {
    Device device = attested.orElseThrow(() -> new ApiError(410, "device-revoked", "Revoked"));
    return audit
        .append(
            actor.user().id(),
            "device.attested",
            device.id(),
            actor.user().cityId(),
            Map.of("owner", device.userId()))
        .map(
            e -> {
              DeviceNotices.statusChanged(events, device, device.status());
              return device;
            });
  }

  /**
   * Revokes the device: its sessions end, its key packages are withdrawn, its attestation goes on
   * the revocation list, its sockets close and its channels are told to remove it. Audited. Returns
   * the device as it now is.
   */
  /**
   * Renames one of the actor's own devices (someone else's is answered as absent, a revoked one as
   * revoked); the name must differ from the actor's other devices' names. Audited with the new
   * name, which the owner chose and the owner's coordinator sees anyway.
   */
  public Future<Device> rename(Actor actor, String deviceId, String name) {
    return devices
        .ofUsers(List.of(actor.user().id()))
        .compose(
            own -> {
              Device device =
                  own.stream()
                      .filter(d -> d.id().equals(deviceId))
                      .findFirst()
                      .orElseThrow(ApiError::deviceNotFound);
              if (device.status() == DeviceStatus.REVOKED) {
                throw ApiError.deviceRevoked();
              }
              if (own.stream().anyMatch(d -> !d.id().equals(deviceId) && d.name().equals(name))) {
                throw ApiError.conflict(
                    "device-name-taken", "Another of your devices already has this name");
              }
              return devices.rename(deviceId, name);
            })
        .compose(
            renamed -> {
              Device device = renamed.orElseThrow(ApiError::deviceRevoked);
              return audit
                  .append(
                      actor.user().id(),
                      "device.renamed",
                      deviceId,
                      actor.user().cityId(),
                      Map.of("name", name))
                  .map(e -> device);
            });
  }

  public Future<Device> revoke(Actor actor, String deviceId) {
    return managed(actor, deviceId)
        .compose(pair -> revoked(actor.user(), pair.getKey(), pair.getValue()));
  }

  /**
   * Revokes every device of {@code owner} not revoked yet, each as {@link #revoke} does (the owner
   * deleting their account). Returns how many.
   */
  @Override
  public Future<Integer> revokeAll(User actor, User owner) {
    return devices
        .ofUsers(List.of(owner.id()))
        .compose(
            found -> {
              Future<Integer> done = Future.succeededFuture(0);
              for (Device device : found) {
                if (device.status() == DeviceStatus.REVOKED) {
                  continue;
                }
                // One after the other, so the audit lists them in order.
                done = done.compose(n -> revoked(actor, device, owner).map(d -> n + 1));
              }
              return done;
            });
  }

  private Future<Device> revoked(User actor, Device device, User owner) {
    String deviceId = device.id();
    return devices
        .revoke(deviceId)
        .compose(v -> sessions.revokeDevice(deviceId))
        .compose(v -> keyPackages.forgetDevice(deviceId))
        .compose(v -> revocations.append(revoked(device)))
        .compose(
            v -> {
              events.publish(Events.device(deviceId), new JsonObject().put("type", "revoked"));
              events.send(
                  Events.DEVICE_REVOKED,
                  new JsonObject().put("userId", device.userId()).put("deviceId", deviceId));
              return audit.append(
                  actor.id(),
                  "device.revoked",
                  deviceId,
                  owner.cityId(),
                  Map.of("owner", device.userId()));
            })
        .map(e -> device.withStatus(DeviceStatus.REVOKED));
  }

  /** The revocation list's entry for a device being revoked: none if it held no attestation. */
  private static List<AttestationRevocation.Revoked> revoked(Device device) {
    return device
        .attestation()
        .map(
            chain ->
                List.of(
                    AttestationRevocation.Revoked.of(
                        device, chain, AttestationRevocation.Reason.DEVICE_REVOKED)))
        .orElse(List.of());
  }

  /** The revocation list after {@code after}, for any signed-in member. */
  public Future<AttestationRevocations.Page> revocations(long after) {
    return revocations.after(after);
  }

  /** The actor's own device, not revoked; anyone else's is answered as absent. */
  private Future<Device> ownDevice(Actor actor, String id) {
    return devices
        .byId(id)
        .map(
            found -> {
              Device device =
                  found
                      .filter(d -> d.userId().equals(actor.user().id()))
                      .orElseThrow(ApiError::deviceNotFound);
              if (device.status() == DeviceStatus.REVOKED) {
                throw ApiError.deviceRevoked();
              }
              return device;
            });
  }

  /**
   * The device and its owner, if the actor may act on it: the owner, or whoever administers the
   * owner ({@link AccessRules#requireManagesUser}, as for tier changes).
   */
  private Future<Map.Entry<Device, User>> managed(Actor actor, String id) {
    return devices
        .byId(id)
        .compose(
            found -> {
              Device device = found.orElseThrow(ApiError::deviceNotFound);
              return users
                  .byId(device.userId())
                  .map(
                      owner -> {
                        User user = owner.orElseThrow(ApiError::deviceNotFound);
                        if (!user.id().equals(actor.user().id())) {
                          if (!AccessRules.managesCity(actor.user(), user.cityId())) {
                            // Someone else's device in a city one does not manage: as if absent.
                            throw ApiError.deviceNotFound();
                          }
                          // Acting on someone's device administers them: never above oneself.
                          AccessRules.requireManagesUser(actor.user(), user);
                        }
                        if (device.status() == DeviceStatus.REVOKED) {
                          throw ApiError.deviceRevoked();
                        }
                        return Map.entry(device, user);
                      });
            });
  }
}
