package org.liaison.server.accounts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.liaison.server.testing.ServiceCalls.awaitSize;
import static org.liaison.server.testing.ServiceCalls.refused;
import static org.liaison.server.testing.TestServer.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.server.api.ApiError;
import org.liaison.server.audit.AuditEntry;
import org.liaison.server.audit.AuditLog;
import org.liaison.server.events.Events;
import org.liaison.server.testing.Network;
import org.liaison.server.testing.TestServer;

/** {@link Accounts} called directly, without HTTP, against a real server's store. */
class AccountsTest {
  @TempDir Path dataDir;
  TestServer test;
  Vertx vertx;
  UserRepository users;
  AuditLog audit;
  Accounts accounts;
  final List<String> endedSessionsOf = new CopyOnWriteArrayList<>();

  User admin;
  User coordinator;
  User member;
  User elsewhere;

  @BeforeEach
  void network() {
    test = TestServer.start(dataDir);
    vertx = Vertx.vertx();
    users = new UserRepository(test.server().store());
    audit = new AuditLog(test.server().store(), test.clock);
    UserSessions sessions =
        userId -> {
          endedSessionsOf.add(userId);
          return Future.succeededFuture();
        };
    // Devices are not under test here (DeviceTrustLifecycleTest covers them through HTTP).
    UserDevices devices =
        new UserDevices() {
          @Override
          public Future<Void> attestationsWithdrawn(User actor, User user, Change change) {
            return Future.succeededFuture();
          }

          @Override
          public Future<Map<String, Integer>> pendingConfirmation(
              java.util.Collection<String> userIds) {
            return Future.succeededFuture(Map.of());
          }
        };
    accounts =
        new Accounts(
            users,
            sessions,
            devices,
            (actor, owner) -> Future.succeededFuture(0),
            audit,
            vertx.eventBus());

    Network network = new Network(test.api());
    Network.Member first = network.registerAdmin(test.bootstrapCode(), "admin@network.example");
    String tirana = network.createCity(first, "Tirana", "AL");
    String youth = network.createOrganisation(first, tirana, "Youth Centre", "youth-work");
    String skopje = network.createCity(first, "Skopje", "MK");
    String ngo = network.createOrganisation(first, skopje, "Skopje NGO", "civil-society");
    admin = load(first.id());
    coordinator =
        load(
            network
                .join(
                    first, "coord@tirana.example", "Coord", tirana, youth, "T2", "city-coordinator")
                .id());
    member =
        load(network.join(first, "ana@tirana.example", "Ana", tirana, youth, "T1", "member").id());
    elsewhere =
        load(network.join(first, "ivo@skopje.example", "Ivo", skopje, ngo, "T1", "member").id());
  }

  @AfterEach
  void close() {
    await(vertx.close());
    test.close();
  }

  private User load(String id) {
    return await(users.byId(id)).orElseThrow();
  }

  private List<AuditEntry> audited(String action, String targetId) {
    return await(audit.list(0, 1000, Optional.empty())).stream()
        .filter(e -> e.action().equals(action) && e.targetId().equals(targetId))
        .toList();
  }

  @Test
  void aCoordinatorManagesTheirOwnCityWithinTheirOwnTierAndRoleButNeverThemselves() {
    ApiError self =
        refused(
            403, "forbidden", () -> accounts.setTier(coordinator, coordinator.id(), Tier.T1, "x"));
    assertEquals("Another administrator must change your own account", self.getMessage());
    refused(403, "forbidden", () -> accounts.suspend(coordinator, elsewhere.id(), "not theirs"));
    refused(
        403, "forbidden", () -> accounts.setTier(coordinator, member.id(), Tier.T3, "too high"));
    refused(
        403,
        "forbidden",
        () -> accounts.setRole(coordinator, member.id(), Role.NETWORK_ADMIN, "too high"));
    refused(403, "forbidden", () -> accounts.suspend(member, elsewhere.id(), "a member"));
    refused(404, "user-not-found", () -> accounts.setTier(admin, "f".repeat(32), Tier.T1, "x"));
    assertTrue(endedSessionsOf.isEmpty(), "a refused suspension ends no session");
    assertEquals(Tier.T1, load(member.id()).tier(), "nothing refused was applied");

    User raised = await(accounts.setTier(coordinator, member.id(), Tier.T2, "vetted"));
    assertEquals(Tier.T2, raised.tier());
    assertEquals(Tier.T2, load(member.id()).tier());
    AuditEntry entry = audited("user.tier-changed", member.id()).get(0);
    assertEquals(coordinator.id(), entry.actorId());
    assertEquals(Map.of("from", "T1", "to", "T2", "reason", "vetted"), entry.details());

    // Setting what is already there changes and audits nothing.
    await(accounts.setTier(admin, member.id(), Tier.T2, "again"));
    assertEquals(1, audited("user.tier-changed", member.id()).size());

    // An admin may do what the coordinator may not, within the rules of the data.
    assertEquals(Tier.T3, await(accounts.setTier(admin, elsewhere.id(), Tier.T3, "x")).tier());
    assertEquals(
        Role.CITY_COORDINATOR,
        await(accounts.setRole(admin, elsewhere.id(), Role.CITY_COORDINATOR, "focal point"))
            .role());
  }

  @Test
  void aProfileChangeFromAStaleReadIsRefusedNotApplied() {
    User stale = load(member.id());
    assertEquals("fr", await(accounts.setLanguage(stale, "fr")).preferredLanguage());
    ApiError conflict = refused(409, "concurrent-change", () -> accounts.setLanguage(stale, "ar"));
    assertEquals("Your profile was changed meanwhile; reload and try again", conflict.getMessage());
    assertEquals("fr", load(member.id()).preferredLanguage());
    assertEquals(1, audited("user.language-changed", member.id()).size());
    // Choosing the language one already has is not a change.
    assertEquals("fr", await(accounts.setLanguage(load(member.id()), "fr")).preferredLanguage());
    assertEquals(1, audited("user.language-changed", member.id()).size());
  }

  @Test
  void concurrentAdministratorsNeverBothWinAndNoChangeIsLost() {
    List<Future<User>> changes = new ArrayList<>();
    Tier[] tiers = {Tier.T0, Tier.T2, Tier.T1, Tier.T2, Tier.T0, Tier.T1, Tier.T2, Tier.T0};
    for (int i = 0; i < tiers.length; i++) {
      User actor = i % 2 == 0 ? admin : coordinator;
      changes.add(accounts.setTier(actor, member.id(), tiers[i], "round " + i));
    }
    int refusedCount = 0;
    for (Future<User> change : changes) {
      try {
        await(change);
      } catch (IllegalStateException e) {
        ApiError error = (ApiError) e.getCause();
        assertEquals("concurrent-change", error.code(), error.getMessage());
        assertEquals(409, error.status());
        refusedCount++;
      }
    }
    assertTrue(refusedCount < tiers.length, "at least one change wins");
    // Every applied change starts from where the previous one left the user: none was lost.
    List<AuditEntry> applied = audited("user.tier-changed", member.id());
    String at = "T1";
    for (AuditEntry entry : applied) {
      assertEquals(at, entry.details().get("from"), applied.toString());
      at = entry.details().get("to");
    }
    assertEquals(at, load(member.id()).tier().name());
  }

  @Test
  void suspensionEndsSessionsTellsSocketsAndChannelsAndIsAudited() {
    List<JsonObject> toUser = new CopyOnWriteArrayList<>();
    List<JsonObject> toChannels = new CopyOnWriteArrayList<>();
    await(
        vertx
            .eventBus()
            .<JsonObject>consumer(Events.user(member.id()), m -> toUser.add(m.body()))
            .completion());
    await(
        vertx
            .eventBus()
            .<JsonObject>consumer(Events.USER_SUSPENDED, m -> toChannels.add(m.body()))
            .completion());

    User suspended = await(accounts.suspend(coordinator, member.id(), "device stolen"));
    assertEquals(UserStatus.SUSPENDED, suspended.status());
    assertFalse(load(member.id()).active());
    assertEquals(List.of(member.id()), endedSessionsOf);
    awaitSize(toUser, 1);
    awaitSize(toChannels, 1);
    assertEquals(
        new JsonObject().put("userId", member.id()).put("type", "suspended"), toUser.get(0));
    assertEquals(new JsonObject().put("userId", member.id()), toChannels.get(0));
    AuditEntry entry = audited("user.suspended", member.id()).get(0);
    assertEquals("device stolen", entry.details().get("reason"));
    assertEquals("active", entry.details().get("from"));

    User back = await(accounts.reactivate(coordinator, member.id(), "recovered"));
    assertTrue(back.active());
    assertEquals(List.of(member.id()), endedSessionsOf, "reactivation ends no session");
    assertEquals(1, audited("user.reactivated", member.id()).size());
  }

  @Test
  void theDirectoryShowsAddressesOnlyToTheUserAndThoseWhoManageThem() {
    UserRepository.Filter all =
        new UserRepository.Filter(Optional.empty(), Optional.empty(), Optional.empty(), 100);
    Map<String, Boolean> seenByMember = withEmail(await(accounts.directory(member, all)));
    assertEquals(true, seenByMember.get(member.id()));
    assertEquals(false, seenByMember.get(coordinator.id()));
    assertEquals(false, seenByMember.get(elsewhere.id()));
    Map<String, Boolean> seenByCoordinator = withEmail(await(accounts.directory(coordinator, all)));
    assertEquals(true, seenByCoordinator.get(member.id()));
    assertEquals(false, seenByCoordinator.get(elsewhere.id()));
    assertTrue(withEmail(await(accounts.directory(admin, all))).values().stream().allMatch(b -> b));
  }

  private static Map<String, Boolean> withEmail(List<Accounts.Listed> listed) {
    Map<String, Boolean> result = new java.util.HashMap<>();
    for (Accounts.Listed entry : listed) {
      result.put(entry.user().id(), entry.withEmail());
      assertEquals(entry.withEmail(), entry.toJson().containsKey("email"));
    }
    return result;
  }
}
