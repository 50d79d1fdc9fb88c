package org.liaison.server.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.liaison.server.testing.ServiceCalls.awaitSize;
import static org.liaison.server.testing.ServiceCalls.refused;
import static org.liaison.server.testing.TestServer.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.crypto.Ed25519;
import org.liaison.crypto.Labels;
import org.liaison.server.accounts.User;
import org.liaison.server.accounts.UserRepository;
import org.liaison.server.api.ApiError;
import org.liaison.server.audit.AuditEntry;
import org.liaison.server.audit.AuditLog;
import org.liaison.server.auth.Actor;
import org.liaison.server.auth.SessionRepository;
import org.liaison.server.events.Events;
import org.liaison.server.keydirectory.KeyDirectory;
import org.liaison.server.network.NetworkRoot;
import org.liaison.server.store.Store;
import org.liaison.server.testing.ChannelFixture;
import org.liaison.server.testing.ChannelFixture.Person;
import org.liaison.server.testing.Network;

/** {@link Devices} called directly, without HTTP, against a real server's store. */
class DevicesTest {
  @TempDir Path dataDir;
  ChannelFixture net;
  Vertx vertx;
  UserRepository users;
  DeviceRepository repository;
  SessionRepository sessions;
  KeyDirectory keys;
  AuditLog audit;
  Devices devices;

  @BeforeEach
  void network() {
    net = new ChannelFixture(dataDir);
    vertx = Vertx.vertx();
    Store store = net.server.server().store();
    users = new UserRepository(store);
    repository = new DeviceRepository(store);
    sessions = new SessionRepository(store, net.server.clock, Duration.ofDays(1));
    keys = new KeyDirectory(vertx, store, repository, net.server.clock);
    audit = new AuditLog(store, net.server.clock);
    devices =
        new Devices(
            vertx.eventBus(),
            repository,
            users,
            sessions,
            keys,
            new NetworkRoot(store),
            audit,
            new AttestationRevocations(store, vertx.eventBus(), net.server.clock),
            net.server.clock);
  }

  @AfterEach
  void close() {
    await(vertx.close());
    net.close();
  }

  private User load(String userId) {
    return await(users.byId(userId)).orElseThrow();
  }

  /** A fresh session of the user, bound to no device yet. */
  private Actor signedIn(String userId) {
    return new Actor(load(userId), await(sessions.open(userId)).sessionId(), Optional.empty());
  }

  /** The coordinator of a second city, who manages nobody in the fixture's city. */
  private Network.Member otherCityCoordinator() {
    Network network = net.network();
    String city = network.createCity(net.admin, "Banja Luka", "BA");
    String org = network.createOrganisation(net.admin, city, "Banja Luka Youth", "youth-work");
    return network.join(
        net.admin, "coord@banjaluka.example", "Other Coord", city, org, "T3", "city-coordinator");
  }

  @Test
  void onlyTheOwnerTheirCitysCoordinatorOrAnAdminActOnADevice() {
    Person officer = net.person("Officer", "law-enforcement", 2, 0);
    Person youthWorker = net.person("Youth Worker", "youth-work", 2, 0);
    Network.Member elsewhere = otherCityCoordinator();
    String device = officer.deviceId;
    byte[] chain = net.attest(officer.id(), new byte[32], 2, "law-enforcement").encode();

    // Someone else's device, in a city one does not manage, is answered as absent.
    refused(404, "device-not-found", () -> devices.revoke(signedIn(youthWorker.id()), device));
    refused(404, "device-not-found", () -> devices.revoke(signedIn(elsewhere.id()), device));
    refused(404, "device-not-found", () -> devices.attest(signedIn(elsewhere.id()), device, chain));
    refused(
        404,
        "device-not-found",
        () -> devices.bindSession(signedIn(net.coordinator.id()), device, new byte[64]));
    refused(
        404, "device-not-found", () -> devices.revoke(signedIn(net.admin.id()), "0".repeat(32)));
    refused(403, "forbidden", () -> devices.pending(load(youthWorker.id())));
    assertEquals(DeviceStatus.ACTIVE, await(repository.byId(device)).orElseThrow().status());

    // The city's coordinator may; afterwards the device is gone for everyone, owner included.
    Device revoked = await(devices.revoke(signedIn(net.coordinator.id()), device));
    assertEquals(DeviceStatus.REVOKED, revoked.status());
    assertEquals(DeviceStatus.REVOKED, await(repository.byId(device)).orElseThrow().status());
    refused(410, "device-revoked", () -> devices.revoke(signedIn(officer.id()), device));
    refused(
        410,
        "device-revoked",
        () -> devices.bindSession(signedIn(officer.id()), device, new byte[64]));
  }

  @Test
  void revokingEndsItsSessionsWithdrawsItsKeyPackagesAndTellsSocketsAndChannels() {
    Person officer = net.person("Officer", "law-enforcement", 2, 3);
    List<JsonObject> toDevice = new CopyOnWriteArrayList<>();
    List<JsonObject> toChannels = new CopyOnWriteArrayList<>();
    await(
        vertx
            .eventBus()
            .<JsonObject>consumer(Events.device(officer.deviceId), m -> toDevice.add(m.body()))
            .completion());
    await(
        vertx
            .eventBus()
            .<JsonObject>consumer(Events.DEVICE_REVOKED, m -> toChannels.add(m.body()))
            .completion());
    assertEquals(3, await(keys.count(officer.deviceId)).oneTime());

    await(devices.revoke(signedIn(officer.id()), officer.deviceId));

    assertEquals(new KeyDirectory.Count(0, false), await(keys.count(officer.deviceId)));
    assertEquals("session-ended", net.api().get("/api/v1/me", officer.token()).errorCode());
    awaitSize(toDevice, 1);
    awaitSize(toChannels, 1);
    assertEquals(new JsonObject().put("type", "revoked"), toDevice.get(0));
    assertEquals(
        new JsonObject().put("userId", officer.id()).put("deviceId", officer.deviceId),
        toChannels.get(0));
    AuditEntry entry =
        await(audit.list(0, 1000, Optional.empty())).stream()
            .filter(e -> e.action().equals("device.revoked"))
            .findFirst()
            .orElseThrow();
    assertEquals(officer.deviceId, entry.targetId());
    assertEquals(net.cityId, entry.cityId());
    assertEquals(officer.id(), entry.details().get("owner"));
  }

  @Test
  void ofRegistrationsRacingOnOneSessionExactlyOneKeepsIt() {
    Person officer = net.person("Officer", "law-enforcement", 2, 0);
    Actor session = signedIn(officer.id());
    List<Future<Device>> racing = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      racing.add(
          devices.register(
              session, "tablet " + i, Ed25519.KeyPair.generate().publicKey(), Optional.empty()));
    }
    List<Device> won = new ArrayList<>();
    for (Future<Device> registration : racing) {
      try {
        won.add(await(registration));
      } catch (IllegalStateException e) {
        ApiError error = (ApiError) e.getCause();
        assertEquals("device-already-registered", error.code(), error.getMessage());
        assertEquals(409, error.status());
      }
    }
    assertEquals(1, won.size(), "exactly one registration binds the session");
    Device winner = won.get(0);
    assertEquals(Optional.of(winner.id()), await(sessions.state(session.sessionId())).deviceId());
    // The losers were stored before they lost; they are revoked, never usable.
    List<Device> tablets =
        await(repository.ofUsers(List.of(officer.id()))).stream()
            .filter(d -> d.name().startsWith("tablet"))
            .toList();
    assertEquals(4, tablets.size());
    for (Device tablet : tablets) {
      assertEquals(
          tablet.id().equals(winner.id())
              ? DeviceStatus.AWAITING_ATTESTATION
              : DeviceStatus.REVOKED,
          tablet.status());
    }
    // A session that has its device is refused before anything is stored.
    Actor bound = new Actor(session.user(), session.sessionId(), Optional.of(winner.id()));
    refused(
        409,
        "device-already-registered",
        () -> devices.register(bound, "another", new byte[32], Optional.empty()));
  }

  @Test
  void theCitysCoordinatorAttestsAfterTheServersCheckAndALaterSessionProvesTheKey() {
    Person officer = net.person("Officer", "law-enforcement", 2, 0);
    Network.Member elsewhere = otherCityCoordinator();
    Actor coordinator = signedIn(net.coordinator.id());
    Ed25519.KeyPair key = Ed25519.KeyPair.generate();
    Device phone =
        await(devices.register(signedIn(officer.id()), "phone", key.publicKey(), Optional.empty()));
    assertEquals(DeviceStatus.AWAITING_ATTESTATION, phone.status());

    assertTrue(
        await(devices.pending(coordinator.user())).stream()
            .anyMatch(
                p -> p.device().id().equals(phone.id()) && p.owner().id().equals(officer.id())));
    assertFalse(
        await(devices.pending(load(elsewhere.id()))).stream()
            .anyMatch(p -> p.device().id().equals(phone.id())));

    byte[] wrongTier = net.attest(officer.id(), key.publicKey(), 3, "law-enforcement").encode();
    ApiError refusal =
        refused(
            422, "attestation-invalid", () -> devices.attest(coordinator, phone.id(), wrongTier));
    assertEquals("TIER_MISMATCH", refusal.details().getString("reason"));
    byte[] chain = net.attest(officer.id(), key.publicKey(), 2, "law-enforcement").encode();
    assertEquals(
        DeviceStatus.ACTIVE, await(devices.attest(coordinator, phone.id(), chain)).status());
    assertEquals(
        1,
        await(devices.activeOf(officer.id())).stream()
            .filter(d -> d.id().equals(phone.id()))
            .count());

    Actor later = signedIn(officer.id());
    byte[] forOtherSession =
        key.sign(Labels.DEVICE_SESSION, "another session".getBytes(StandardCharsets.UTF_8));
    refused(403, "bad-signature", () -> devices.bindSession(later, phone.id(), forOtherSession));
    byte[] proof =
        key.sign(Labels.DEVICE_SESSION, later.sessionId().getBytes(StandardCharsets.UTF_8));
    assertEquals(phone.id(), await(devices.bindSession(later, phone.id(), proof)).id());
    assertEquals(Optional.of(phone.id()), await(sessions.state(later.sessionId())).deviceId());
  }
}
