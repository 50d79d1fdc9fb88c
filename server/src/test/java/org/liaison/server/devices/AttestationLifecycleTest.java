package org.liaison.server.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.liaison.server.testing.ChannelFixture.b64;
import static org.liaison.server.testing.ChannelFixture.expect;
import static org.liaison.server.testing.ChannelFixture.policy;
import static org.liaison.server.testing.TestServer.await;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.crypto.attestation.AttestationChain;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.ChannelFixture;
import org.liaison.server.testing.ChannelFixture.Person;
import org.liaison.server.testing.RealtimeClient;

/**
 * A device attestation states its owner's tier, role, sector and city; once one of them changes it
 * no longer holds: the device goes back to pending, the coordinators are asked to confirm it again,
 * and the attestation goes on the revocation list every client reads. Real server, HTTP, sockets.
 */
class AttestationLifecycleTest {
  @TempDir Path dataDir;
  ChannelFixture net;

  @BeforeEach
  void network() {
    net = new ChannelFixture(dataDir);
  }

  @AfterEach
  void close() {
    net.close();
  }

  @Test
  void aRaisedTierWaitsForConfirmationButRevokesNothing() {
    Person officer = net.person("Officer", "law-enforcement", 1, 5);
    JsonObject raised =
        expect(
                200,
                net.api()
                    .put(
                        "/api/v1/users/" + officer.id() + "/tier",
                        net.admin.accessToken(),
                        new JsonObject().put("tier", "T2").put("reason", "vetted for T2")))
            .json();
    assertEquals("T2", raised.getString("tier"));
    assertEquals(1, raised.getInteger("devicesPendingConfirmation"));
    assertEquals("pending", onlyDevice(officer).getString("status"));
    // Her T1 attestation is still true where she is; revoking it would pause all her channels.
    assertEquals(
        0,
        expect(200, net.api().get("/api/v1/network/attestation-revocations", officer.token()))
            .json()
            .getJsonArray("items")
            .size());
  }

  @Test
  void aTierChangeSendsTheDevicesBackToPendingUntilACoordinatorConfirmsThemAgain() {
    Person lead = net.person("Lead", "municipality", 2, 5);
    Person officer = net.person("Officer", "law-enforcement", 2, 5);
    String channel = lead.createChannel(policy(1, 90), "team");
    // Claimed while the device was active: the server issued it, so only the device's state
    // decides.
    List<byte[]> officersPackage = lead.claim(officer.id());
    net.network().registerUnattestedDevice(net.admin);
    net.network().registerUnattestedDevice(net.coordinator);
    int port = net.server.server().port();
    try (RealtimeClient admin = RealtimeClient.connect(port, net.admin.accessToken());
        RealtimeClient coordinator = RealtimeClient.connect(port, net.coordinator.accessToken());
        RealtimeClient member = RealtimeClient.connect(port, lead.token())) {
      Stream.of(admin, coordinator, member).forEach(s -> s.next("ready"));

      JsonObject lowered =
          expect(
                  200,
                  net.api()
                      .put(
                          "/api/v1/users/" + officer.id() + "/tier",
                          net.admin.accessToken(),
                          new JsonObject().put("tier", "T1").put("reason", "moved to a new post")))
              .json();
      assertEquals("T1", lowered.getString("tier"));
      assertEquals(1, lowered.getInteger("devicesPendingConfirmation"));

      // In the same operation: the device is pending, without the attestation that lied.
      JsonObject device = onlyDevice(officer);
      assertEquals("pending", device.getString("status"));
      assertFalse(device.containsKey("attestation"));
      // The coordinators who manage him are asked to confirm it again; everyone re-reads the list.
      JsonObject needed =
          new JsonObject()
              .put("type", "confirmations-needed")
              .put("userId", officer.id())
              .put("cityId", net.cityId)
              .put("reason", "changed");
      JsonObject revoked =
          new JsonObject().put("type", "network-updated").put("reason", "attestations-revoked");
      assertEquals(Map.of("confirmations-needed", needed), frames(coordinator, needed));
      assertEquals(
          Map.of("confirmations-needed", needed, "network-updated", revoked),
          frames(admin, needed, revoked));
      assertEquals(revoked, member.next("network-updated"));
    }

    // Members see him greyed out; the coordinator's pending list shows the device again.
    assertEquals(1, directoryEntry(lead, officer).getInteger("devicesPendingConfirmation"));
    JsonObject pending =
        itemWithId(
            expect(200, net.api().get("/api/v1/devices/pending", net.coordinator.accessToken())),
            officer.deviceId);
    assertEquals("pending", pending.getString("status"));
    assertEquals("T1", pending.getString("tier"));

    JsonObject entry =
        expect(200, net.api().get("/api/v1/network/attestation-revocations", lead.token()))
            .json()
            .getJsonArray("items")
            .getJsonObject(0);
    assertEquals(1, entry.getLong("seq"));
    assertEquals(deviceAttestationHash(officer), entry.getString("attestation"));
    assertEquals(officer.id(), entry.getString("userId"));
    assertEquals(officer.deviceId, entry.getString("deviceId"));
    assertEquals("tier-changed", entry.getString("reason"));
    assertNotNull(java.time.Instant.parse(entry.getString("revokedAt")));

    JsonObject audited =
        expect(200, net.api().get("/api/v1/audit", net.admin.accessToken()))
            .json()
            .getJsonArray("items")
            .stream()
            .map(JsonObject.class::cast)
            .filter(e -> e.getString("action").equals("device.attestation-invalidated"))
            .findFirst()
            .orElseThrow();
    assertEquals(officer.deviceId, audited.getString("targetId"));
    assertEquals(net.admin.id(), audited.getString("actorId"));
    assertEquals("tier-changed", audited.getJsonObject("details").getString("reason"));

    // Until it is confirmed again, nobody can add the device.
    Api.Response refused = lead.commit(channel, lead.sessions.get(channel).add(officersPackage));
    assertEquals(403, refused.status(), refused.toString());
    assertEquals("policy-violation", refused.errorCode());
    assertEquals(
        "device-not-attested",
        refused.json().getJsonObject("error").getJsonObject("details").getString("rule"));

    // The coordinator attests the device for the tier he now holds: active again, addable.
    AttestationChain fresh =
        net.attest(officer.id(), officer.identity.signaturePublicKey(), 1, "law-enforcement");
    JsonObject confirmed =
        expect(
                200,
                net.api()
                    .put(
                        "/api/v1/devices/" + officer.deviceId + "/attestation",
                        net.coordinator.accessToken(),
                        new JsonObject().put("attestation", b64(fresh.encode()))))
            .json();
    assertEquals("active", confirmed.getString("status"));
    assertEquals(0, directoryEntry(lead, officer).getInteger("devicesPendingConfirmation"));
    // The package claimed before carries the withdrawn attestation: it went with it, so members
    // are never handed a leaf they would refuse.
    Api.Response stale = lead.commit(channel, lead.sessions.get(channel).add(officersPackage));
    assertEquals(403, stale.status(), stale.toString());
    assertEquals(
        "key-package-not-issued",
        stale.json().getJsonObject("error").getJsonObject("details").getString("rule"));
    // The device uploads packages that carry its new attestation: those are addable.
    officer.reattested(fresh).uploadKeyPackages(2);
    expect(201, lead.commit(channel, lead.sessions.get(channel).add(lead.claim(officer.id()))));
  }

  @Test
  void theOwnersConnectionsHearTheirDeviceGoPendingAndBeConfirmedAgain() throws Exception {
    Person officer = net.person("Officer", "law-enforcement", 2, 0);
    Person colleague = net.person("Colleague", "law-enforcement", 2, 0);
    int port = net.server.server().port();
    try (RealtimeClient own = RealtimeClient.connect(port, officer.token());
        RealtimeClient other = RealtimeClient.connect(port, colleague.token())) {
      Stream.of(own, other).forEach(s -> s.next("ready"));
      expect(
          200,
          net.api()
              .put(
                  "/api/v1/users/" + officer.id() + "/tier",
                  net.admin.accessToken(),
                  new JsonObject().put("tier", "T1").put("reason", "moved to a new post")));
      assertEquals(
          new JsonObject()
              .put("type", "device-updated")
              .put("deviceId", officer.deviceId)
              .put("status", "pending"),
          own.next("device-updated"));

      AttestationChain fresh =
          net.attest(officer.id(), officer.identity.signaturePublicKey(), 1, "law-enforcement");
      expect(
          200,
          net.api()
              .put(
                  "/api/v1/devices/" + officer.deviceId + "/attestation",
                  net.coordinator.accessToken(),
                  new JsonObject().put("attestation", b64(fresh.encode()))));
      assertEquals(
          new JsonObject()
              .put("type", "device-updated")
              .put("deviceId", officer.deviceId)
              .put("status", "active"),
          own.next("device-updated"));
      // The notice is news, not an ending: the socket stays open (a suspension would close it).
      assertFalse(own.isClosed());
      // Addressed to the owner alone: nobody else learns whose devices changed.
      Thread.sleep(500);
      assertFalse(
          other.frames.stream().anyMatch(f -> "device-updated".equals(f.getString("type"))),
          other.frames.toString());
    }
  }

  @Test
  void revokedDevicesSuspensionsAndRoleChangesAreListedInOrderAndPaged() {
    Person owner = net.person("Owner", "civil-society", 1, 0);
    Person suspended = net.person("Suspended", "youth-work", 1, 0);
    Person promoted = net.person("Promoted", "municipality", 2, 0);
    expect(
        200, net.api().post("/api/v1/devices/" + owner.deviceId + "/revoke", owner.token(), null));
    expect(
        200,
        net.api()
            .post(
                "/api/v1/users/" + suspended.id() + "/suspend",
                net.admin.accessToken(),
                new JsonObject().put("reason", "left the organisation")));
    expect(
        200,
        net.api()
            .put(
                "/api/v1/users/" + promoted.id() + "/role",
                net.admin.accessToken(),
                new JsonObject().put("role", "city-coordinator").put("reason", "focal point")));

    JsonObject all = revocations(promoted, 0);
    List<String> reasons = new ArrayList<>();
    List<Long> seqs = new ArrayList<>();
    for (Object item : all.getJsonArray("items")) {
      reasons.add(((JsonObject) item).getString("reason"));
      seqs.add(((JsonObject) item).getLong("seq"));
    }
    assertEquals(List.of("device-revoked", "user-suspended", "role-changed"), reasons);
    assertEquals(List.of(1L, 2L, 3L), seqs);
    assertEquals(3, all.getLong("next"));
    assertEquals(
        deviceAttestationHash(owner),
        all.getJsonArray("items").getJsonObject(0).getString("attestation"));
    assertEquals(
        suspended.deviceId, all.getJsonArray("items").getJsonObject(1).getString("deviceId"));
    // A suspension revokes the attestation but leaves the device as it is; a role change, pending.
    itemWithId(
        expect(
            200, net.api().get("/api/v1/users/" + suspended.id() + "/devices", promoted.token())),
        suspended.deviceId);
    assertEquals("pending", onlyDevice(promoted).getString("status"));

    JsonObject rest = revocations(promoted, 1);
    assertEquals(2, rest.getJsonArray("items").size());
    assertEquals(2, rest.getJsonArray("items").getJsonObject(0).getLong("seq"));
    JsonObject none = revocations(promoted, 3);
    assertEquals(0, none.getJsonArray("items").size());
    assertEquals(3, none.getLong("next"));
    assertEquals(
        400,
        net.api()
            .get("/api/v1/network/attestation-revocations?after=-1", promoted.token())
            .status());
    assertEquals(401, net.api().get("/api/v1/network/attestation-revocations", null).status());

    // Pages hold at most 500 entries; the next page starts where the last one ended.
    Vertx vertx = Vertx.vertx();
    try {
      AttestationRevocations list =
          new AttestationRevocations(
              net.server.server().store(), vertx.eventBus(), net.server.clock);
      List<AttestationRevocation.Revoked> many = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        many.add(
            new AttestationRevocation.Revoked(
                "%064x".formatted(i),
                promoted.id(),
                promoted.deviceId,
                AttestationRevocation.Reason.TIER_CHANGED));
      }
      await(list.append(many));
    } finally {
      await(vertx.close());
    }
    JsonObject first = revocations(promoted, 0);
    assertEquals(500, first.getJsonArray("items").size());
    assertEquals(500, first.getLong("next"));
    JsonObject second = revocations(promoted, first.getLong("next"));
    assertEquals(3, second.getJsonArray("items").size());
    assertEquals(501, second.getJsonArray("items").getJsonObject(0).getLong("seq"));
    assertEquals(503, second.getLong("next"));
  }

  /** The first frame of each of these types (in whatever order they come), by type. */
  private static Map<String, JsonObject> frames(RealtimeClient socket, JsonObject... expected) {
    Set<String> types = new HashSet<>();
    for (JsonObject frame : expected) {
      types.add(frame.getString("type"));
    }
    Map<String, JsonObject> seen = new HashMap<>();
    long end = System.nanoTime() + RealtimeClient.WAIT.toNanos();
    try {
      while (seen.size() < types.size() && System.nanoTime() < end) {
        JsonObject frame = socket.frames.poll(end - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (frame != null && types.contains(frame.getString("type"))) {
          seen.putIfAbsent(frame.getString("type"), frame);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return seen;
  }

  private JsonObject revocations(Person reader, long after) {
    return expect(
            200,
            net.api().get("/api/v1/network/attestation-revocations?after=" + after, reader.token()))
        .json();
  }

  /** SHA-256 of the device attestation's canonical encoding, as clients compute it. */
  private static String deviceAttestationHash(Person person) {
    byte[] encoded = person.identity.credential().chain().orElseThrow().device().encode();
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(encoded));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private JsonObject onlyDevice(Person person) {
    return itemWithId(
        expect(200, net.api().get("/api/v1/devices", person.token())), person.deviceId);
  }

  private JsonObject directoryEntry(Person reader, Person listed) {
    return itemWithId(expect(200, net.api().get("/api/v1/users", reader.token())), listed.id());
  }

  private static JsonObject itemWithId(Api.Response response, String id) {
    JsonArray items = response.json().getJsonArray("items");
    return items.stream()
        .map(JsonObject.class::cast)
        .filter(i -> i.getString("id").equals(id))
        .findFirst()
        .orElseThrow(() -> new AssertionError(id + " not in " + items));
  }
}
