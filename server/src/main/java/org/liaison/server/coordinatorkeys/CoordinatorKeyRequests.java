package org.liaison.server.coordinatorkeys;

import com.mongodb.client.model.Updates;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.bson.types.Binary;
import org.liaison.crypto.ConstantTime;
import org.liaison.crypto.attestation.TierAttestation;
import org.liaison.crypto.codec.DecodeException;
import org.liaison.server.access.AccessRules;
import org.liaison.server.accounts.Role;
import org.liaison.server.accounts.User;
import org.liaison.server.accounts.UserRepository;
import org.liaison.server.api.ApiError;
import org.liaison.server.audit.AuditLog;
import org.liaison.server.devices.AttestationCheck;
import org.liaison.server.events.Events;
import org.liaison.server.network.NetworkRoot;
import org.liaison.server.organisations.City;
import org.liaison.server.organisations.CityRepository;
import org.liaison.server.organisations.Organisation;

/**
 * Coordinator keys signed without a shell: a coordinator's browser asks for its key to be signed,
 * the network admins see the request (name, city, organisation, tier, key), and the root holder's
 * browser signs it with the root key it holds and hands the attestation back here, where the
 * coordinator's browser picks it up. The server checks what it is given before anyone else sees it
 * but is not trusted for it: the coordinator's browser verifies the attestation against the root it
 * pinned, and every member's client verifies every chain.
 */
public final class CoordinatorKeyRequests
    implements org.liaison.server.devices.CoordinatorAttestations {
  private final CoordinatorKeyRequestRepository repository;
  private final UserRepository users;
  private final CityRepository cities;
  private final NetworkRoot root;
  private final AuditLog audit;
  private final EventBus events;
  private final Clock clock;

  public CoordinatorKeyRequests(
      org.liaison.server.store.Store store,
      UserRepository users,
      CityRepository cities,
      NetworkRoot root,
      AuditLog audit,
      EventBus events,
      Clock clock) {
    this.repository = new CoordinatorKeyRequestRepository(store);
    this.users = users;
    this.cities = cities;
    this.root = root;
    this.audit = audit;
    this.events = events;
    this.clock = clock;
  }

  /** City coordinators and network admins confirm devices, so only they hold coordinator keys. */
  private static void requireCoordinator(User actor) {
    if (!AccessRules.isAdmin(actor) && actor.role() != Role.CITY_COORDINATOR) {
      throw ApiError.forbidden("Only coordinators and network admins have coordinator keys");
    }
  }

  /**
   * The scope a coordinator key is signed for: a network admin's is network-wide (no city), a city
   * coordinator's is their city.
   */
  private static String scope(User coordinator) {
    return AccessRules.isAdmin(coordinator) || coordinator.cityId() == null
        ? ""
        : coordinator.cityId();
  }

  /** A coordinator asks for {@code publicKey} to be signed; replaces an earlier request. */
  public Future<JsonObject> request(User actor, byte[] publicKey) {
    requireCoordinator(actor);
    CoordinatorKeyRequest request =
        CoordinatorKeyRequest.pending(
            actor.id(),
            publicKey,
            actor.tier().name(),
            actor.sector().wire(),
            scope(actor),
            clock.instant());
    return repository
        .replace(request)
        .compose(
            saved ->
                audit.append(
                    actor.id(),
                    "coordinator-key.requested",
                    actor.id(),
                    actor.cityId(),
                    Map.of("fingerprint", NetworkRoot.fingerprint(publicKey))))
        .map(
            entry -> {
              events.publish(
                  Events.ADMINS,
                  new JsonObject()
                      .put("type", "coordinator-keys-changed")
                      .put("userId", actor.id()));
              return request.toJson();
            });
  }

  /** The coordinator's own request, signed or not; 404 when they never asked. */
  public Future<JsonObject> mine(User actor) {
    return repository
        .of(actor.id())
        .map(found -> found.orElseThrow(CoordinatorKeyRequests::notFound).toJson());
  }

  /**
   * The user's signed coordinator attestation, if the root holder signed one for them (broadcast
   * authors need it: recipients check it); empty otherwise.
   */
  public Future<java.util.Optional<byte[]>> signedAttestation(String userId) {
    return repository
        .of(userId)
        .map(
            found ->
                found
                    .filter(r -> CoordinatorKeyRequest.SIGNED.equals(r.status()))
                    .map(CoordinatorKeyRequest::attestation)
                    .filter(a -> a != null));
  }

  /**
   * Pending requests with what the root holder needs to decide: who, which city and organisation
   * (by name), which tier and sector, and the key itself (their browser computes its fingerprint).
   */
  public Future<List<JsonObject>> pending(User actor) {
    AccessRules.requireNetworkAdmin(actor);
    return repository
        .pending()
        .compose(
            requests ->
                Future.all(
                        users.byIds(requests.stream().map(CoordinatorKeyRequest::userId).toList()),
                        cities.cities(),
                        cities.organisations(java.util.Optional.empty()))
                    .map(
                        all -> {
                          Map<String, User> byId = index(all.<List<User>>resultAt(0), User::id);
                          Map<String, City> cityById = index(all.<List<City>>resultAt(1), City::id);
                          Map<String, Organisation> orgById =
                              index(all.<List<Organisation>>resultAt(2), Organisation::id);
                          return requests.stream()
                              .filter(r -> byId.containsKey(r.userId()))
                              .map(
                                  r -> {
                                    User who = byId.get(r.userId());
                                    City city = cityById.get(who.cityId());
                                    Organisation org = orgById.get(who.organisationId());
                                    return r.toJson()
                                        .put("displayName", who.displayName())
                                        .put("role", who.role().wire())
                                        .put("cityName", city == null ? null : city.name())
                                        .put("organisationName", org == null ? null : org.name());
                                  })
                              .toList();
                        }));
  }

  private static <T> Map<String, T> index(List<T> items, Function<T, String> id) {
    return items.stream().collect(Collectors.toMap(id, Function.identity(), (a, b) -> a));
  }

  /**
   * The root holder hands in the coordinator attestation their browser signed. It must be issued by
   * the network root for this request's key and user, of kind coordinator, with the user's current
   * tier, sector and scope, and valid now; the request must still ask for this key.
   */
  public Future<JsonObject> sign(User actor, String userId, byte[] attestationBytes) {
    AccessRules.requireNetworkAdmin(actor);
    Instant now = clock.instant();
    return Future.all(root.requireKey(), repository.of(userId), users.byId(userId))
        .compose(
            all -> {
              byte[] rootKey = all.resultAt(0);
              CoordinatorKeyRequest request =
                  all.<java.util.Optional<CoordinatorKeyRequest>>resultAt(1)
                      .orElseThrow(CoordinatorKeyRequests::notFound);
              User coordinator =
                  all.<java.util.Optional<User>>resultAt(2)
                      .filter(User::active)
                      .orElseThrow(CoordinatorKeyRequests::notFound);
              if (!CoordinatorKeyRequest.PENDING.equals(request.status())) {
                throw notPending(request);
              }
              requireCoordinator(coordinator);
              TierAttestation link = verified(attestationBytes, rootKey, request, coordinator, now);
              return repository
                  .decide(
                      userId,
                      request.publicKey(),
                      CoordinatorKeyRequest.SIGNED,
                      Updates.set("attestation", new Binary(attestationBytes)),
                      actor.id(),
                      now)
                  .map(
                      decided ->
                          decided.orElseThrow(
                              () ->
                                  ApiError.conflict(
                                      "request-changed",
                                      "The coordinator asked again with another key meanwhile;"
                                          + " sign the new request")))
                  .compose(
                      decided ->
                          audit
                              .append(
                                  actor.id(),
                                  "coordinator-key.signed",
                                  userId,
                                  coordinator.cityId(),
                                  Map.of(
                                      "fingerprint",
                                      NetworkRoot.fingerprint(request.publicKey()),
                                      "tier",
                                      "T" + link.tier(),
                                      "expiresAt",
                                      link.expiresAt().toString()))
                              .map(e -> decided));
            })
        .map(this::announced);
  }

  /** The root holder declines a request (a key they could not confirm with the coordinator). */
  public Future<JsonObject> decline(User actor, String userId, String reason) {
    AccessRules.requireNetworkAdmin(actor);
    Instant now = clock.instant();
    return repository
        .of(userId)
        .compose(
            found -> {
              CoordinatorKeyRequest request = found.orElseThrow(CoordinatorKeyRequests::notFound);
              if (!CoordinatorKeyRequest.PENDING.equals(request.status())) {
                throw notPending(request);
              }
              return repository.decide(
                  userId,
                  request.publicKey(),
                  CoordinatorKeyRequest.DECLINED,
                  Updates.set("declineReason", reason),
                  actor.id(),
                  now);
            })
        .map(decided -> decided.orElseThrow(() -> notPending(null)))
        .compose(
            decided ->
                audit
                    .append(
                        actor.id(),
                        "coordinator-key.declined",
                        userId,
                        null,
                        Map.of("fingerprint", NetworkRoot.fingerprint(decided.publicKey())))
                    .map(e -> decided))
        .map(this::announced);
  }

  /**
   * After a change to the user (tier, role, suspension): their request goes back to pending with
   * what they hold now, for the same key, if they are still a coordinator, and is removed if not.
   * Answers the signed attestation they held, which the caller puts on the revocation list.
   */
  @Override
  public Future<java.util.Optional<byte[]>> withdraw(User user) {
    boolean stillCoordinator =
        user.active() && (AccessRules.isAdmin(user) || user.role() == Role.CITY_COORDINATOR);
    return repository
        .of(user.id())
        .compose(
            found -> {
              if (found.isEmpty()) {
                return Future.succeededFuture(java.util.Optional.<byte[]>empty());
              }
              CoordinatorKeyRequest before = found.get();
              CoordinatorKeyRequest again =
                  CoordinatorKeyRequest.pending(
                      user.id(),
                      before.publicKey(),
                      user.tier().name(),
                      user.sector().wire(),
                      scope(user),
                      clock.instant());
              Future<Boolean> changed =
                  stillCoordinator
                      ? repository.replaceIf(before, again)
                      : repository.deleteIf(before);
              return changed
                  .compose(
                      done ->
                          before.attestation() == null
                              ? Future.succeededFuture()
                              : audit.append(
                                  user.id(),
                                  "coordinator-key.withdrawn",
                                  user.id(),
                                  user.cityId(),
                                  Map.of(
                                      "fingerprint", NetworkRoot.fingerprint(before.publicKey()))))
                  .map(
                      v -> {
                        announced(stillCoordinator ? again : before.withStatus("withdrawn"));
                        return java.util.Optional.ofNullable(before.attestation());
                      });
            });
  }

  /** Tells the coordinator's open browsers, and the other admins' queues. */
  private JsonObject announced(CoordinatorKeyRequest decided) {
    events.publish(
        Events.user(decided.userId()),
        new JsonObject().put("type", "coordinator-key-updated").put("status", decided.status()));
    events.publish(
        Events.ADMINS,
        new JsonObject().put("type", "coordinator-keys-changed").put("userId", decided.userId()));
    return decided.toJson();
  }

  private static TierAttestation verified(
      byte[] bytes, byte[] rootKey, CoordinatorKeyRequest request, User coordinator, Instant now) {
    TierAttestation link;
    try {
      link = TierAttestation.decode(bytes);
    } catch (DecodeException e) {
      throw AttestationCheck.invalid(
          "MALFORMED", "The attestation does not decode: " + e.getMessage());
    }
    if (!ConstantTime.equal(link.issuerKey(), rootKey)) {
      throw AttestationCheck.invalid(
          "NOT_FROM_ROOT", "The attestation is not issued by the network root");
    }
    if (!link.signatureValid()) {
      throw AttestationCheck.invalid(
          "BAD_SIGNATURE", "The attestation's signature does not verify");
    }
    if (link.kind() != TierAttestation.Kind.COORDINATOR) {
      throw AttestationCheck.invalid("WRONG_KIND", "This is not a coordinator attestation");
    }
    if (!Arrays.equals(link.subjectKey(), request.publicKey())) {
      throw AttestationCheck.invalid("KEY_MISMATCH", "The attestation is for another key");
    }
    if (!link.userId().equals(coordinator.id())) {
      throw AttestationCheck.invalid("USER_MISMATCH", "The attestation is for another person");
    }
    AttestationCheck.requireStatesHeld(
        link.tier(), link.sector(), link.cityId(), coordinator, scope(coordinator));
    if (now.isBefore(link.issuedAt()) || !now.isBefore(link.expiresAt())) {
      throw AttestationCheck.invalid("NOT_VALID_NOW", "The attestation is not valid now");
    }
    return link;
  }

  private static ApiError notFound() {
    return ApiError.notFound(
        "coordinator-key-request-not-found", "No coordinator key request for this person");
  }

  private static ApiError notPending(CoordinatorKeyRequest request) {
    return ApiError.conflict(
        "request-not-pending",
        request == null
            ? "This request is no longer waiting"
            : "This request is already " + request.status());
  }
}
