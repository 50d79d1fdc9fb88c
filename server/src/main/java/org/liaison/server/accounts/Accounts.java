package org.liaison.server.accounts;

import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.liaison.crypto.Digests;
import org.liaison.server.access.AccessRules;
import org.liaison.server.api.ApiError;
import org.liaison.server.audit.AuditLog;
import org.liaison.server.events.Events;

/**
 * Changes to accounts and who may make them: a user's own profile, the member directory, and an
 * administrator's changes to another user's tier, role and status. Every change is checked against
 * {@link AccessRules}, applied only if the stored field still holds what was checked (so of two
 * concurrent changes one wins and the other is refused with {@code 409 concurrent-change}), and
 * audited. Suspension also ends the user's sessions and tells their sockets and channels. A tier or
 * role change, or a suspension, withdraws the user's device attestations in the same operation
 * ({@link UserDevices}): they stated what is no longer true.
 */
public final class Accounts {
  private final UserRepository users;
  private final UserSessions sessions;
  private final UserDevices devices;
  private final AccountDevices ownDevices;
  private final ChannelPeers peers;
  private final AuditLog audit;
  private final EventBus events;
  private final ConcurrentMap<String, Future<?>> inFlight = new ConcurrentHashMap<>();

  public Accounts(
      UserRepository users,
      UserSessions sessions,
      UserDevices devices,
      AccountDevices ownDevices,
      AuditLog audit,
      EventBus events) {
    this(users, sessions, devices, ownDevices, ChannelPeers.NONE, audit, events);
  }

  /**
   * @param peers whom a member shares a channel with: they always see each other in the directory
   */
  public Accounts(
      UserRepository users,
      UserSessions sessions,
      UserDevices devices,
      AccountDevices ownDevices,
      ChannelPeers peers,
      AuditLog audit,
      EventBus events) {
    this.users = users;
    this.sessions = sessions;
    this.devices = devices;
    this.ownDevices = ownDevices;
    this.peers = peers;
    this.audit = audit;
    this.events = events;
  }

  /**
   * One user as shown: whether the asking user may see their e-mail address, and how many of their
   * devices wait for a coordinator to confirm them again (clients grey such members out).
   */
  public record Listed(User user, boolean withEmail, int devicesPendingConfirmation) {
    public JsonObject toJson() {
      return user.toJson(withEmail).put("devicesPendingConfirmation", devicesPendingConfirmation);
    }
  }

  /**
   * The members matching the filter that the actor may see ({@link AccessRules#seesInDirectory}:
   * their own tier and below, coordinators and admins, their city if they coordinate it, and
   * everyone they share a channel with), with e-mail addresses only where the actor may see them.
   * The limit applies before this rule, so a page may hold fewer.
   */
  public Future<List<Listed>> directory(User actor, UserRepository.Filter filter) {
    return users
        .list(filter)
        .compose(
            all ->
                (AccessRules.seesEveryone(actor)
                        ? Future.succeededFuture(Set.<String>of())
                        : peers.of(actor.id()))
                    .map(
                        shared ->
                            all.stream()
                                .filter(
                                    u ->
                                        AccessRules.seesInDirectory(
                                            actor, u, shared.contains(u.id())))
                                .toList()))
        .compose(
            found ->
                devices
                    .pendingConfirmation(found.stream().map(User::id).toList())
                    .map(
                        pending ->
                            found.stream()
                                .map(
                                    u ->
                                        new Listed(
                                            u,
                                            AccessRules.seesContactDetails(actor, u),
                                            pending.getOrDefault(u.id(), 0)))
                                .toList()));
  }

  /**
   * A user as they themselves, and those who may change them, see them: everything, with the
   * devices awaiting confirmation (a tier or role change has just put them back to pending).
   */
  public Future<Listed> inFull(User user) {
    return devices
        .pendingConfirmation(List.of(user.id()))
        .map(pending -> new Listed(user, true, pending.getOrDefault(user.id(), 0)));
  }

  /** The user changes their own preferred language; unchanged if it is already that one. */
  public Future<User> setLanguage(User me, String language) {
    String before = me.preferredLanguage();
    if (language.equals(before)) {
      return Future.succeededFuture(me);
    }
    return setAudited(
        me,
        me.id(),
        new Change("preferredLanguage", before, language, "user.language-changed", null, null),
        "Your profile was changed meanwhile; reload and try again");
  }

  /**
   * The user changes their own display name (already checked by {@link DisplayNames}); unchanged if
   * it is already that one. Audited; every open connection hears {@code network-updated} {@code
   * member-updated}, the notice clients already follow, and reads the directory again.
   */
  public Future<User> rename(User me, String displayName) {
    String before = me.displayName();
    if (displayName.equals(before)) {
      return Future.succeededFuture(me);
    }
    return setAudited(
            me,
            me.id(),
            new Change("displayName", before, displayName, "user.renamed", null, null),
            "Your profile was changed meanwhile; reload and try again")
        .onSuccess(user -> memberUpdated(user.id()));
  }

  /**
   * Deletes the user's own account (the caller has checked their password): the status becomes
   * {@code deleted}, name and e-mail are erased ({@link UserRepository#markDeleted}), every device
   * is revoked the usual way (its channels are told to remove it), every session ends, and it is
   * audited. The last active network admin cannot delete themselves ({@code 409 last-admin}): the
   * network would have nobody left to run it. Deletions run one at a time on this node, so two
   * admins deleting themselves at once cannot both pass that check.
   */
  public Future<User> delete(User me) {
    if (me.status() == UserStatus.DELETED) {
      return Future.failedFuture(ApiError.conflict("account-deleted", "This account was deleted"));
    }
    return oneAtATime(
        DELETIONS,
        () ->
            requireNotLastAdmin(me)
                .compose(v -> users.markDeleted(me.id(), me.status().wire(), emailHash(me.email())))
                .compose(
                    updated -> {
                      User deleted =
                          updated.orElseThrow(
                              () ->
                                  ApiError.conflict(
                                      "concurrent-change",
                                      "Your account was changed meanwhile; reload and try again"));
                      return ownDevices
                          .revokeAll(me, deleted)
                          .compose(
                              revoked ->
                                  sessions
                                      .revokeAll(me.id())
                                      .compose(
                                          x ->
                                              audit.append(
                                                  me.id(),
                                                  "user.deleted",
                                                  me.id(),
                                                  me.cityId(),
                                                  Map.of(
                                                      "role",
                                                      me.role().wire(),
                                                      "devicesRevoked",
                                                      String.valueOf(revoked)))))
                          .map(e -> deleted);
                    })
                .onSuccess(
                    deleted -> {
                      events.publish(
                          Events.user(deleted.id()),
                          new JsonObject().put("type", "deleted").put("userId", deleted.id()));
                      memberUpdated(deleted.id());
                    }));
  }

  /** The key deletions are serialised under (see {@link #delete}). */
  private static final String DELETIONS = "account-deletions";

  private Future<Void> requireNotLastAdmin(User me) {
    if (me.role() != Role.NETWORK_ADMIN || !me.active()) {
      return Future.succeededFuture();
    }
    return users
        .activeAdmins()
        .map(
            admins -> {
              if (admins <= 1) {
                throw ApiError.conflict(
                    "last-admin",
                    "You are the only network admin. Make someone else a network admin before"
                        + " deleting your account");
              }
              return null;
            });
  }

  /** The hash a deleted account keeps of its e-mail address (lower-cased, as sign-in uses it). */
  public static String emailHash(String email) {
    return Digests.sha256Hex(email.toLowerCase(Locale.ROOT));
  }

  /**
   * Every connection hears that a member's public details (their name) changed, on the notice that
   * already tells clients to read the network's members again.
   */
  private void memberUpdated(String userId) {
    events.publish(
        Events.NETWORK,
        new JsonObject()
            .put("type", "network-updated")
            .put("reason", "member-updated")
            .put("userId", userId));
  }

  /** Within the actor's own tier: nobody grants above what they hold. */
  public Future<User> setTier(User actor, String userId, Tier tier, String reason) {
    return change(
        actor,
        userId,
        target -> {
          AccessRules.requireMayGrant(actor, tier, target.role());
          return new Change(
              "tier",
              target.tier().name(),
              tier.name(),
              "user.tier-changed",
              reason,
              tier.compareTo(target.tier()) > 0
                  ? UserDevices.Change.TIER_RAISED
                  : UserDevices.Change.TIER_CHANGED);
        });
  }

  /** Within the actor's own role; a city coordinator must belong to a city. */
  public Future<User> setRole(User actor, String userId, Role role, String reason) {
    return change(
        actor,
        userId,
        target -> {
          AccessRules.requireMayGrant(actor, target.tier(), role);
          if (role == Role.CITY_COORDINATOR && target.cityId() == null) {
            throw ApiError.invalidField("role", "A city coordinator must belong to a city");
          }
          return new Change(
              "role",
              target.role().wire(),
              role.wire(),
              "user.role-changed",
              reason,
              UserDevices.Change.ROLE_CHANGED);
        });
  }

  /**
   * Suspends the user and ends every session, so their tokens stop working at once; their sockets
   * close and their channels are told to remove them.
   */
  public Future<User> suspend(User actor, String userId, String reason) {
    return setStatus(
            actor,
            userId,
            UserStatus.SUSPENDED,
            "user.suspended",
            reason,
            UserDevices.Change.USER_SUSPENDED)
        .compose(user -> sessions.revokeAll(user.id()).map(user))
        .onSuccess(
            user -> {
              JsonObject event = new JsonObject().put("userId", user.id());
              events.publish(Events.user(user.id()), event.copy().put("type", "suspended"));
              events.send(Events.USER_SUSPENDED, event);
            });
  }

  public Future<User> reactivate(User actor, String userId, String reason) {
    return setStatus(actor, userId, UserStatus.ACTIVE, "user.reactivated", reason, null);
  }

  private Future<User> setStatus(
      User actor,
      String userId,
      UserStatus status,
      String action,
      String reason,
      UserDevices.Change withdraws) {
    return change(
        actor,
        userId,
        target ->
            new Change("status", target.status().wire(), status.wire(), action, reason, withdraws));
  }

  /**
   * One audited change of one stored field from {@code from} to {@code to}; {@code withdraws} says
   * why the user's device attestations stop holding with it (null: they still hold).
   */
  private record Change(
      String field,
      String from,
      String to,
      String action,
      String reason,
      UserDevices.Change withdraws) {}

  /**
   * The member {@code id}, if {@code actor} administers them (the rule for tier, role, status and
   * password resets): 404 for an unknown id, 403 for someone else's, 409 for a deleted account.
   */
  public Future<User> managedMember(User actor, String id) {
    return users
        .byId(id)
        .map(
            found -> {
              User target =
                  found.orElseThrow(() -> ApiError.notFound("user-not-found", "No such user"));
              AccessRules.requireManagesUser(actor, target);
              if (target.status() == UserStatus.DELETED) {
                throw ApiError.conflict("user-deleted", "This account was deleted");
              }
              return target;
            });
  }

  /**
   * Loads the target, checks the actor manages it, computes the change, applies it only if the
   * field still holds what was checked (so two concurrent admins cannot both win), and audits it.
   */
  private Future<User> change(User actor, String id, Function<User, Change> decide) {
    return managedMember(actor, id)
        .compose(
            target -> {
              Change change = decide.apply(target);
              if (change.from().equals(change.to())) {
                return Future.succeededFuture(target);
              }
              return setAudited(
                  actor, id, change, "This user was changed meanwhile; reload and try again");
            });
  }

  /**
   * Applies one field change if nobody changed the field meanwhile ({@code 409 concurrent-change}
   * otherwise), then audits it with its from, to and reason (when there is one).
   */
  private Future<User> setAudited(User actor, String id, Change change, String conflictMessage) {
    return oneAtATime(id, () -> applyAndAudit(actor, id, change, conflictMessage));
  }

  /**
   * Runs the changes of one user one after the other on this node, each with its audit entry, so
   * the audit chain lists them in the order they were applied (two concurrent changes that both win
   * their compare-and-set, one after the other, could otherwise be audited the other way round).
   */
  private <T> Future<T> oneAtATime(String userId, Supplier<Future<T>> work) {
    @SuppressWarnings("unchecked")
    Future<T> mine =
        (Future<T>)
            inFlight.compute(
                userId,
                (k, previous) ->
                    (previous == null ? Future.succeededFuture() : previous.otherwiseEmpty())
                        .compose(v -> work.get()));
    mine.onComplete(done -> inFlight.remove(userId, mine));
    return mine;
  }

  private Future<User> applyAndAudit(User actor, String id, Change change, String conflictMessage) {
    return users
        .compareAndSet(id, change.field(), change.from(), change.to())
        .compose(
            updated -> {
              User user =
                  updated.orElseThrow(
                      () -> ApiError.conflict("concurrent-change", conflictMessage));
              Map<String, String> details = new HashMap<>();
              details.put("from", change.from() == null ? "" : change.from());
              details.put("to", change.to());
              if (change.reason() != null) {
                details.put("reason", change.reason());
              }
              return audit
                  .append(actor.id(), change.action(), id, user.cityId(), details)
                  .compose(e -> withdrawAttestations(actor, user, change))
                  .map(v -> user);
            });
  }

  /**
   * In the same operation as the change (and in its turn, so the audit lists the devices right
   * after it): attestations that stated the old tier or role are withdrawn; after a tier change
   * (later also sector or city) the user's channels check their policy against the new one.
   */
  private Future<Void> withdrawAttestations(User actor, User user, Change change) {
    if (change.withdraws() == null) {
      return Future.succeededFuture();
    }
    // The channels record their due removals first, and answer: members who re-check their
    // channels when the revocation is announced then already find the removal to carry out,
    // instead of distrusting a member nobody has been asked to remove yet.
    Future<Void> duesRecorded =
        change.withdraws() == UserDevices.Change.TIER_CHANGED
            ? events
                .request(Events.USER_CHANGED, new JsonObject().put("userId", user.id()))
                .<Void>mapEmpty()
                .otherwiseEmpty()
            : Future.succeededFuture();
    return duesRecorded.compose(
        v -> devices.attestationsWithdrawn(actor, user, change.withdraws()));
  }
}
