package org.liaison.server.invitations;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.liaison.crypto.Digests;
import org.liaison.server.access.AccessRules;
import org.liaison.server.accounts.Role;
import org.liaison.server.accounts.Tier;
import org.liaison.server.accounts.User;
import org.liaison.server.accounts.UserRepository;
import org.liaison.server.api.ApiError;
import org.liaison.server.api.Ids;
import org.liaison.server.audit.AuditLog;
import org.liaison.server.mail.Mailer;
import org.liaison.server.organisations.City;
import org.liaison.server.organisations.CityRepository;
import org.liaison.server.organisations.Organisation;
import org.liaison.server.organisations.Sector;
import org.liaison.server.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Invitations: the only way into the network. Each carries the city, organisation, tier and role
 * its holder will have; it is used once and expires.
 */
public final class Invitations {
  private static final Logger LOG = LoggerFactory.getLogger(Invitations.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  public static final String BOOTSTRAP_FILE = "bootstrap-invite.txt";
  // The code kept from when only unknown codes got it: clients already explain it.
  private static final String UNREDEEMABLE = "invitation-not-found";

  private final Vertx vertx;
  private final InvitationRepository repository;
  private final CityRepository cities;
  private final UserRepository users;
  private final AuditLog audit;
  private final Clock clock;
  private Instant lastCreation = Instant.EPOCH;
  private final Duration validity;
  private final Supplier<String> publicUrl;
  private final Path dataDir;
  private final Mailer mailer;

  /** What an invitation grants, as seen by the person holding the code. */
  public record Grant(
      String invitationId,
      String email,
      String cityId,
      String organisationId,
      Sector sector,
      Tier tier,
      Role role,
      String invitedBy,
      boolean bootstrap) {}

  /**
   * The answer to an invitation's creator: the code, shown this once, and {@code delivery} ({@code
   * sending}) when it is also being e-mailed.
   */
  public record Created(String id, String code, Instant expiresAt, String url, String delivery) {
    public JsonObject toJson() {
      JsonObject json =
          new JsonObject()
              .put("id", id)
              .put("code", code)
              .put("expiresAt", expiresAt.toString())
              .put("url", url);
      if (delivery != null) {
        json.put("delivery", new JsonObject().put("status", delivery));
      }
      return json;
    }

    @Override
    public String toString() {
      return "Created[id=" + id + "]";
    }
  }

  public Invitations(
      Vertx vertx,
      Store store,
      CityRepository cities,
      UserRepository users,
      AuditLog audit,
      Clock clock,
      Duration validity,
      Supplier<String> publicUrl,
      Path dataDir,
      Mailer mailer) {
    this.vertx = vertx;
    this.repository = new InvitationRepository(store);
    this.cities = cities;
    this.users = users;
    this.audit = audit;
    this.clock = clock;
    this.validity = validity;
    this.publicUrl = publicUrl;
    this.dataDir = dataDir;
    this.mailer = mailer;
  }

  /** Whether invitations can be e-mailed from here (mail.enabled). */
  public boolean mailConfigured() {
    return mailer.configured();
  }

  public Future<Void> createIndexes() {
    return repository.createIndexes();
  }

  /**
   * Creates an invitation; with {@code sendEmail} it is also e-mailed, in {@code language} (null:
   * English), in the background: the answer does not wait for the relay, and a failed delivery
   * leaves the invitation as it is, its status marked for "send again".
   */
  public Future<Created> create(
      User actor,
      String email,
      String cityId,
      String organisationId,
      Tier tier,
      Role role,
      String language,
      boolean sendEmail) {
    AccessRules.requireManagesCity(actor, cityId);
    AccessRules.requireMayGrant(actor, tier, role);
    if (sendEmail) {
      requireMail();
    }
    return cities
        .organisation(organisationId)
        .compose(
            found -> {
              Organisation organisation =
                  found.orElseThrow(
                      () -> ApiError.invalidField("organisationId", "No such organisation"));
              if (!organisation.cityId().equals(cityId)) {
                throw ApiError.invalidField(
                    "organisationId", "This organisation belongs to another city");
              }
              return requireEmailFree(email).map(v -> organisation);
            })
        .compose(
            organisation -> {
              String code = newCode();
              Invitation invitation =
                  pending(
                      code,
                      email,
                      cityId,
                      organisationId,
                      organisation.sector(),
                      tier,
                      role,
                      actor.id(),
                      language,
                      sendEmail ? sending() : null);
              return repository
                  .insert(invitation)
                  .compose(
                      i ->
                          audit.append(
                              actor.id(),
                              "invitation.created",
                              i.id(),
                              cityId,
                              Map.of(
                                  "email",
                                  email,
                                  "organisationId",
                                  organisationId,
                                  "tier",
                                  tier.name(),
                                  "role",
                                  role.wire(),
                                  "emailed",
                                  Boolean.toString(sendEmail))))
                  .map(
                      e -> {
                        if (sendEmail) {
                          deliver(actor, invitation, code, organisation.name());
                        } else {
                          // Never the link or the code: whoever made it passes it on.
                          LOG.info(
                              "invitation {} for {} created; not e-mailed ({}): its link was shown"
                                  + " only to whoever created it",
                              invitation.id(),
                              Mailer.mask(email),
                              mailer.configured() ? "not asked" : "mail is off");
                        }
                        return new Created(
                            invitation.id(),
                            code,
                            invitation.expiresAt(),
                            link(code),
                            sendEmail ? Invitation.Delivery.SENDING : null);
                      });
            });
  }

  /**
   * "Send again": a new code (the old link stops working, as it may be what went astray) and a new
   * expiry, e-mailed like the first. Only the code's hash is stored, so the old link cannot be sent
   * again. By whoever manages the city and may grant what it grants; audited.
   */
  public Future<Created> sendAgain(User actor, String id) {
    requireMail();
    return pendingManagedBy(actor, id)
        .compose(
            invitation -> {
              AccessRules.requireMayGrant(actor, invitation.tier(), invitation.role());
              String code = newCode();
              return repository
                  .renew(
                      invitation.id(), hash(code), nextCreationInstant().plus(validity), sending())
                  .map(renewed -> renewed.orElseThrow(Invitations::notPending))
                  .compose(
                      renewed ->
                          audit
                              .append(
                                  actor.id(),
                                  "invitation.sent-again",
                                  renewed.id(),
                                  renewed.cityId(),
                                  Map.of("email", renewed.email()))
                              .compose(e -> cities.organisation(renewed.organisationId()))
                              .map(
                                  organisation -> {
                                    deliver(
                                        actor,
                                        renewed,
                                        code,
                                        organisation.map(Organisation::name).orElse(""));
                                    return new Created(
                                        renewed.id(),
                                        code,
                                        renewed.expiresAt(),
                                        link(code),
                                        Invitation.Delivery.SENDING);
                                  }));
            });
  }

  private void requireMail() {
    if (!mailer.configured()) {
      throw ApiError.conflict(
          "mail-not-configured",
          "This server does not send e-mail; copy the invitation link and pass it on instead");
    }
  }

  private Invitation.Delivery sending() {
    return new Invitation.Delivery(Invitation.Delivery.SENDING, null, clock.instant());
  }

  /**
   * E-mails the link in the background and records how it went. The code lives only in this message
   * and the creator's answer; the log names the invitation and a masked address.
   */
  private void deliver(User inviter, Invitation invitation, String code, String organisation) {
    cities
        .city(invitation.cityId())
        .compose(
            city ->
                mailer.send(
                    InvitationMail.compose(
                        invitation.language(),
                        invitation.email(),
                        inviter.displayName(),
                        city.map(City::name).orElse(""),
                        organisation,
                        link(code),
                        invitation.expiresAt())))
        .transform(
            sent -> {
              Invitation.Delivery delivery;
              if (sent.succeeded()) {
                LOG.info(
                    "invitation {} e-mailed to {}",
                    invitation.id(),
                    Mailer.mask(invitation.email()));
                delivery = new Invitation.Delivery(Invitation.Delivery.SENT, null, clock.instant());
              } else {
                String reason =
                    sent.cause() instanceof Mailer.Failure f
                        ? f.reason().wire()
                        : Mailer.Reason.OTHER.wire();
                LOG.warn(
                    "invitation {} not e-mailed to {}: {}",
                    invitation.id(),
                    Mailer.mask(invitation.email()),
                    reason);
                delivery =
                    new Invitation.Delivery(Invitation.Delivery.FAILED, reason, clock.instant());
              }
              return repository.setDelivery(invitation.id(), invitation.codeHash(), delivery);
            })
        .onFailure(
            e -> LOG.warn("invitation {}: delivery status not recorded", invitation.id(), e));
  }

  /**
   * The pending invitations the actor manages: a network admin sees every city's, a city
   * coordinator their own city's. Expired ones stay listed (marked) until revoked, so whoever
   * invited sees that the person never came.
   */
  public Future<List<JsonObject>> listPending(User actor, int limit) {
    Optional<String> city;
    if (AccessRules.isAdmin(actor)) {
      city = Optional.empty();
    } else if (actor.role() == Role.CITY_COORDINATOR) {
      city = Optional.of(actor.cityId());
    } else {
      throw ApiError.forbidden("Only coordinators and network admins can see invitations");
    }
    Instant now = clock.instant();
    return repository
        .pending(city, limit)
        .map(found -> found.stream().map(i -> i.toListing(now)).toList());
  }

  /**
   * A pending invitation for a person, of a city {@code actor} manages: 404 for anything else (as
   * for an unknown id), 409 when it is no longer pending.
   */
  private Future<Invitation> pendingManagedBy(User actor, String id) {
    return repository
        .byId(id)
        .map(
            found -> {
              Invitation invitation =
                  found
                      .filter(i -> i.email() != null)
                      .filter(i -> AccessRules.managesCity(actor, i.cityId()))
                      .orElseThrow(Invitations::notFound);
              if (!Invitation.PENDING.equals(invitation.status())) {
                throw notPending();
              }
              return invitation;
            });
  }

  /**
   * Withdraws a pending invitation, by whoever manages its city. Its code then gets the same answer
   * as any unknown code. Audited.
   */
  public Future<JsonObject> revoke(User actor, String id) {
    return pendingManagedBy(actor, id)
        .compose(
            invitation -> {
              return repository.revoke(invitation.id(), actor.id());
            })
        .compose(
            revoked -> {
              Invitation invitation = revoked.orElseThrow(Invitations::notPending);
              return audit
                  .append(
                      actor.id(),
                      "invitation.revoked",
                      invitation.id(),
                      invitation.cityId(),
                      Map.of("email", invitation.email()))
                  .map(e -> invitation.toListing(clock.instant()).put("status", "revoked"));
            });
  }

  /** Unknown, and other cities' invitations look the same: nobody learns what they may not see. */
  static ApiError notFound() {
    return ApiError.notFound("invitation-unknown", "No such invitation");
  }

  private static ApiError notPending() {
    return ApiError.conflict(
        "invitation-not-pending", "This invitation was already used or withdrawn");
  }

  /** Refuses before anything is created if the address already has an account. */
  private Future<Void> requireEmailFree(String email) {
    return users
        .byEmail(email)
        .map(
            existing -> {
              if (existing.isPresent()) {
                throw ApiError.conflict(
                    "email-taken", "An account with this e-mail already exists");
              }
              return null;
            });
  }

  /** What the code grants, for the registration page; nothing is consumed. */
  public Future<JsonObject> preview(String code) {
    return usable(code)
        .compose(
            invitation ->
                Future.all(
                        invitation.cityId() == null
                            ? Future.succeededFuture(java.util.Optional.empty())
                            : cities.city(invitation.cityId()),
                        invitation.organisationId() == null
                            ? Future.succeededFuture(java.util.Optional.empty())
                            : cities.organisation(invitation.organisationId()))
                    .map(
                        both -> {
                          java.util.Optional<org.liaison.server.organisations.City> city =
                              both.resultAt(0);
                          java.util.Optional<Organisation> organisation = both.resultAt(1);
                          return new JsonObject()
                              .put("email", invitation.email())
                              .put("cityName", city.map(c -> c.name()).orElse(null))
                              .put(
                                  "organisationName",
                                  organisation.map(Organisation::name).orElse(null))
                              .put("sector", invitation.sector().wire())
                              .put("tier", invitation.tier().name())
                              .put("role", invitation.role().wire())
                              .put("expiresAt", invitation.expiresAt().toString());
                        }));
  }

  /**
   * Uses the invitation for {@code email}: checks it, then consumes it atomically. The caller
   * creates the account and calls {@link #release} if that fails, so no invitation is lost.
   */
  public Future<Grant> redeem(String code, String email, String newUserId) {
    return usable(code)
        .compose(
            invitation -> {
              if (invitation.email() != null && !invitation.email().equals(email)) {
                throw new ApiError(
                    403,
                    "invitation-email-mismatch",
                    "This invitation was sent to a different e-mail address");
              }
              return repository
                  .consume(invitation.id(), newUserId)
                  .map(
                      consumed ->
                          consumed.map(this::grantOf).orElseThrow(Invitations::unredeemable));
            });
  }

  public Future<Void> release(Grant grant) {
    return repository.release(grant.invitationId());
  }

  /** After the first admin registered: the bootstrap file has done its job. */
  public Future<Void> forgetBootstrapFile() {
    return vertx.executeBlocking(
        () -> {
          Files.deleteIfExists(dataDir.resolve(BOOTSTRAP_FILE));
          return null;
        });
  }

  private Grant grantOf(Invitation i) {
    return new Grant(
        i.id(),
        i.email(),
        i.cityId(),
        i.organisationId(),
        i.sector(),
        i.tier(),
        i.role(),
        i.createdBy(),
        i.email() == null);
  }

  /**
   * The pending, unexpired invitation with this code. Unknown, used, expired and revoked codes all
   * get the one {@link #unredeemable()} answer, so nobody learns which codes exist or were used.
   */
  private Future<Invitation> usable(String code) {
    return repository
        .byCodeHash(hash(code))
        .map(
            found ->
                found
                    .filter(i -> Invitation.PENDING.equals(i.status()))
                    .filter(i -> clock.instant().isBefore(i.expiresAt()))
                    .orElseThrow(Invitations::unredeemable));
  }

  /** The one answer for every code that cannot be redeemed, whatever the reason. */
  private static ApiError unredeemable() {
    return ApiError.notFound(
        UNREDEEMABLE,
        "This invitation code is not valid: it may be mistyped, used or expired. Ask for a new one");
  }

  /** Whether a registration failed because its code cannot be redeemed (a guess, perhaps). */
  public static boolean isUnredeemable(Throwable error) {
    return error instanceof ApiError e && e.code().equals(UNREDEEMABLE);
  }

  /**
   * On an empty store, creates the one-time invitation for the first network admin, writes it to
   * {@code <data dir>/bootstrap-invite.txt} (owner-only) and returns its link to print on the
   * console. It is never logged.
   */
  public Future<BootstrapState> bootstrapIfEmpty() {
    return users
        .any()
        .compose(
            hasUsers -> {
              if (hasUsers) {
                return forgetBootstrapFile().map(v -> BootstrapState.NOT_NEEDED);
              }
              return repository
                  .anyPendingBootstrap(clock.instant())
                  .compose(
                      pending ->
                          pending
                              ? Future.succeededFuture(BootstrapState.WAITING)
                              : createBootstrap());
            });
  }

  /** What start-up found: no bootstrap needed, one still waiting, or one just made. */
  public sealed interface BootstrapState {
    BootstrapState NOT_NEEDED = new NotNeeded();
    BootstrapState WAITING = new Waiting();

    record NotNeeded() implements BootstrapState {}

    record Waiting() implements BootstrapState {}

    record Made(String url, Path file) implements BootstrapState {
      @Override
      public String toString() {
        return "Made[file=" + file + "]";
      }
    }
  }

  private Future<BootstrapState> createBootstrap() {
    String code = newCode();
    Invitation invitation =
        pending(
            code,
            null,
            null,
            null,
            Sector.NETWORK_STAFF,
            Tier.T3,
            Role.NETWORK_ADMIN,
            "bootstrap",
            null,
            null);
    Path file = dataDir.resolve(BOOTSTRAP_FILE);
    String url = link(code);
    return repository
        .insert(invitation)
        .compose(
            i ->
                vertx.executeBlocking(
                    () -> {
                      writeOwnerOnly(
                          file,
                          "Liaison bootstrap invitation for the first network admin.\n"
                              + "Open this link once; it stops working when used or on "
                              + invitation.expiresAt()
                              + ".\n"
                              + url
                              + "\ncode: "
                              + code
                              + "\n");
                      return (BootstrapState) new BootstrapState.Made(url, file);
                    }));
  }

  private static void writeOwnerOnly(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.deleteIfExists(file);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
  }

  private Invitation pending(
      String code,
      String email,
      String cityId,
      String organisationId,
      Sector sector,
      Tier tier,
      Role role,
      String createdBy,
      String language,
      Invitation.Delivery delivery) {
    Instant now = nextCreationInstant();
    return new Invitation(
        Ids.newId(),
        hash(code),
        email,
        cityId,
        organisationId,
        sector,
        tier,
        role,
        createdBy,
        now,
        now.plus(validity),
        Invitation.PENDING,
        language,
        delivery);
  }

  /**
   * The store keeps milliseconds, and two invitations made within one would tie in the newest-first
   * list; creation instants on this node therefore strictly increase.
   */
  private synchronized Instant nextCreationInstant() {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    lastCreation = now.isAfter(lastCreation) ? now : lastCreation.plusMillis(1);
    return lastCreation;
  }

  private String link(String code) {
    return publicUrl.get() + "/invite/" + code;
  }

  /** 160 random bits, URL-safe. */
  static String newCode() {
    byte[] bytes = new byte[20];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static String hash(String code) {
    return Digests.sha256Hex(code);
  }
}
