package org.liaison.server.coordinatorkeys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.crypto.Ed25519;
import org.liaison.crypto.attestation.TierAttestation;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.Network;
import org.liaison.server.testing.RealtimeClient;
import org.liaison.server.testing.TestServer;

/**
 * A city coordinator's key signed without a shell: the coordinator asks, the root holder sees the
 * request with names, signs in their browser and hands the attestation back, the coordinator's open
 * browser hears of it and reads it. Whatever the server is handed is checked first.
 */
class CoordinatorKeyRequestsTest {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  @TempDir Path dataDir;

  private final Ed25519.KeyPair root = Ed25519.KeyPair.generate();
  private final Ed25519.KeyPair coordinatorKey = Ed25519.KeyPair.generate();
  private TestServer test;
  private Api api;
  private Network network;
  private Network.Member admin;
  private Network.Member coordinator;
  private Network.Member member;
  private String city;

  @BeforeEach
  void network() {
    test = TestServer.start(dataDir);
    api = test.api();
    network = new Network(api);
    admin = network.registerAdmin(test.bootstrapCode(), "admin@network.example");
    city = network.createCity(admin, "Mostar", "BA");
    String org = network.createOrganisation(admin, city, "Mostar City Hall", "municipality");
    coordinator =
        network.join(admin, "lejla@mostar.example", "Lejla", city, org, "T2", "city-coordinator");
    member = network.join(admin, "edin@mostar.example", "Edin", city, org, "T1", "member");
    assertEquals(
        200,
        api.put(
                "/api/v1/network/root-key",
                admin.accessToken(),
                new JsonObject().put("rootKey", B64.encodeToString(root.publicKey())))
            .status());
  }

  @org.junit.jupiter.api.AfterEach
  void stop() {
    test.close();
  }

  private Api.Response ask(Network.Member who, byte[] key) {
    return api.put(
        "/api/v1/coordinator-keys/mine",
        who.accessToken(),
        new JsonObject().put("publicKey", B64.encodeToString(key)));
  }

  private byte[] attestation(Ed25519.KeyPair issuer, byte[] subject, int tier, String cityId) {
    Instant now = Instant.now();
    return TierAttestation.issue(
            issuer,
            TierAttestation.Kind.COORDINATOR,
            coordinator.id(),
            subject,
            tier,
            "municipality",
            cityId,
            now.minusSeconds(60),
            now.plus(Duration.ofDays(365)))
        .encode();
  }

  private Api.Response sign(byte[] attestation) {
    return api.put(
        "/api/v1/coordinator-keys/" + coordinator.id() + "/attestation",
        admin.accessToken(),
        new JsonObject().put("attestation", B64.encodeToString(attestation)));
  }

  @Test
  void theRootHolderSignsARequestAndTheCoordinatorsBrowserHearsOfIt() throws Exception {
    network.registerUnattestedDevice(coordinator);
    network.registerUnattestedDevice(admin);
    try (RealtimeClient coordinatorSocket =
            RealtimeClient.connect(test.server().port(), coordinator.accessToken());
        RealtimeClient adminSocket =
            RealtimeClient.connect(test.server().port(), admin.accessToken())) {
      coordinatorSocket.next("ready");
      adminSocket.next("ready");

      Api.Response asked = ask(coordinator, coordinatorKey.publicKey());
      assertEquals(200, asked.status(), asked.toString());
      assertEquals("pending", asked.json().getString("status"));
      assertEquals(
          coordinator.id(), adminSocket.next("coordinator-keys-changed").getString("userId"));

      Api.Response queue = api.get("/api/v1/coordinator-keys", admin.accessToken());
      assertEquals(200, queue.status(), queue.toString());
      JsonObject shown = queue.json().getJsonArray("items").getJsonObject(0);
      assertEquals("Lejla", shown.getString("displayName"));
      assertEquals("Mostar", shown.getString("cityName"));
      assertEquals("Mostar City Hall", shown.getString("organisationName"));
      assertEquals("T2", shown.getString("tier"));
      assertEquals("municipality", shown.getString("sector"));
      assertEquals(city, shown.getString("cityId"));
      assertEquals(B64.encodeToString(coordinatorKey.publicKey()), shown.getString("publicKey"));

      byte[] signed = attestation(root, coordinatorKey.publicKey(), 2, city);
      Api.Response accepted = sign(signed);
      assertEquals(200, accepted.status(), accepted.toString());
      assertEquals("signed", coordinatorSocket.next("coordinator-key-updated").getString("status"));

      JsonObject mine = api.get("/api/v1/coordinator-keys/mine", coordinator.accessToken()).json();
      assertEquals("signed", mine.getString("status"));
      assertEquals(B64.encodeToString(signed), mine.getString("attestation"));
      assertTrue(
          api.get("/api/v1/coordinator-keys", admin.accessToken())
              .json()
              .getJsonArray("items")
              .isEmpty(),
          "a signed request leaves the queue");
      assertEquals(409, sign(signed).status(), "signed once");

      Api.Response audit = api.get("/api/v1/audit", admin.accessToken());
      assertTrue(audit.body().contains("coordinator-key.signed"), audit.toString());
    }
  }

  @Test
  void aRoleChangeTakesTheCoordinatorAttestationBackOntoTheRevocationList() throws Exception {
    network.registerUnattestedDevice(coordinator);
    assertEquals(200, ask(coordinator, coordinatorKey.publicKey()).status());
    byte[] signed = attestation(root, coordinatorKey.publicKey(), 2, city);
    assertEquals(200, sign(signed).status());
    String hash =
        org.liaison.crypto.attestation.AttestationRevocations.hash(TierAttestation.decode(signed));

    try (RealtimeClient coordinatorSocket =
        RealtimeClient.connect(test.server().port(), coordinator.accessToken())) {
      coordinatorSocket.next("ready");
      Api.Response demoted =
          api.put(
              "/api/v1/users/" + coordinator.id() + "/role",
              admin.accessToken(),
              new JsonObject().put("role", "member").put("reason", "left the focal point role"));
      assertEquals(200, demoted.status(), demoted.toString());
      assertEquals(
          "withdrawn", coordinatorSocket.next("coordinator-key-updated").getString("status"));
    }
    Api.Response revocations =
        api.get("/api/v1/network/attestation-revocations", member.accessToken());
    JsonObject entry =
        revocations.json().getJsonArray("items").stream()
            .map(JsonObject.class::cast)
            .filter(e -> hash.equals(e.getString("attestation")))
            .findFirst()
            .orElseThrow(() -> new AssertionError("not listed: " + revocations));
    assertEquals("role-changed", entry.getString("reason"));
    assertEquals(coordinator.id(), entry.getString("userId"));
    assertEquals(null, entry.getString("deviceId"), "a coordinator attestation names no device");
    assertEquals(
        404,
        api.get("/api/v1/coordinator-keys/mine", coordinator.accessToken()).status(),
        "a member holds no coordinator key request");
    assertTrue(
        api.get("/api/v1/audit", admin.accessToken()).body().contains("coordinator-key.withdrawn"));
  }

  @Test
  void aTierChangeAsksTheRootHolderAgainForTheSameKey() {
    assertEquals(200, ask(coordinator, coordinatorKey.publicKey()).status());
    byte[] signed = attestation(root, coordinatorKey.publicKey(), 2, city);
    assertEquals(200, sign(signed).status());
    Api.Response lowered =
        api.put(
            "/api/v1/users/" + coordinator.id() + "/tier",
            admin.accessToken(),
            new JsonObject().put("tier", "T1").put("reason", "vetting lapsed"));
    assertEquals(200, lowered.status(), lowered.toString());

    JsonObject mine = api.get("/api/v1/coordinator-keys/mine", coordinator.accessToken()).json();
    assertEquals("pending", mine.getString("status"));
    assertEquals("T1", mine.getString("tier"));
    assertFalse(mine.containsKey("attestation"));
    assertEquals(B64.encodeToString(coordinatorKey.publicKey()), mine.getString("publicKey"));
    assertEquals(
        422,
        sign(signed).status(),
        "the old T2 attestation no longer states what the coordinator holds");
    assertEquals(200, sign(attestation(root, coordinatorKey.publicKey(), 1, city)).status());
    String oldHash =
        org.liaison.crypto.attestation.AttestationRevocations.hash(TierAttestation.decode(signed));
    assertTrue(
        api.get("/api/v1/network/attestation-revocations", member.accessToken())
            .body()
            .contains(oldHash),
        "the lowered attestation is revoked");
  }

  @Test
  void whatTheServerIsHandedMustBeTheRootsAttestationForThisRequest() {
    assertEquals(200, ask(coordinator, coordinatorKey.publicKey()).status());
    Ed25519.KeyPair stranger = Ed25519.KeyPair.generate();
    assertReason("NOT_FROM_ROOT", sign(attestation(stranger, coordinatorKey.publicKey(), 2, city)));
    assertReason("KEY_MISMATCH", sign(attestation(root, stranger.publicKey(), 2, city)));
    assertReason("TIER_MISMATCH", sign(attestation(root, coordinatorKey.publicKey(), 3, city)));
    assertReason("CITY_MISMATCH", sign(attestation(root, coordinatorKey.publicKey(), 2, "")));
    assertReason("MALFORMED", sign(new byte[] {0, 1, 2, 3}));
    byte[] forged = attestation(root, coordinatorKey.publicKey(), 2, city);
    forged[forged.length - 1] ^= 1;
    assertReason("BAD_SIGNATURE", sign(forged));
    assertEquals(
        "pending",
        api.get("/api/v1/coordinator-keys/mine", coordinator.accessToken())
            .json()
            .getString("status"),
        "nothing refused changed the request");

    Api.Response notBase64 =
        api.put(
            "/api/v1/coordinator-keys/" + coordinator.id() + "/attestation",
            admin.accessToken(),
            new JsonObject().put("attestation", "%%%"));
    assertEquals(400, notBase64.status(), notBase64.toString());
  }

  @Test
  void aNewKeyReplacesTheRequestSoAStaleSignatureIsRefused() {
    assertEquals(200, ask(coordinator, coordinatorKey.publicKey()).status());
    byte[] forOldKey = attestation(root, coordinatorKey.publicKey(), 2, city);
    Ed25519.KeyPair newKey = Ed25519.KeyPair.generate();
    assertEquals(200, ask(coordinator, newKey.publicKey()).status());
    assertReason("KEY_MISMATCH", sign(forOldKey));
    assertEquals(200, sign(attestation(root, newKey.publicKey(), 2, city)).status());
  }

  @Test
  void declinedRequestsTellTheCoordinatorWhy() {
    assertEquals(200, ask(coordinator, coordinatorKey.publicKey()).status());
    Api.Response declined =
        api.post(
            "/api/v1/coordinator-keys/" + coordinator.id() + "/decline",
            admin.accessToken(),
            new JsonObject().put("reason", "The fingerprint did not match on the phone"));
    assertEquals(200, declined.status(), declined.toString());
    JsonObject mine = api.get("/api/v1/coordinator-keys/mine", coordinator.accessToken()).json();
    assertEquals("declined", mine.getString("status"));
    assertEquals("The fingerprint did not match on the phone", mine.getString("declineReason"));
    assertFalse(mine.containsKey("attestation"));
  }

  @Test
  void onlyCoordinatorsAskAndOnlyNetworkAdminsDecide() {
    assertEquals(403, ask(member, coordinatorKey.publicKey()).status());
    assertEquals(200, ask(coordinator, coordinatorKey.publicKey()).status());
    assertEquals(403, api.get("/api/v1/coordinator-keys", coordinator.accessToken()).status());
    Api.Response bySelf =
        api.put(
            "/api/v1/coordinator-keys/" + coordinator.id() + "/attestation",
            coordinator.accessToken(),
            new JsonObject()
                .put(
                    "attestation",
                    B64.encodeToString(attestation(root, coordinatorKey.publicKey(), 2, city))));
    assertEquals(403, bySelf.status(), bySelf.toString());
    Api.Response unknown = api.get("/api/v1/coordinator-keys/mine", member.accessToken());
    assertEquals(404, unknown.status());
    assertEquals("coordinator-key-request-not-found", unknown.errorCode());
    Api.Response shortKey =
        api.put(
            "/api/v1/coordinator-keys/mine",
            coordinator.accessToken(),
            new JsonObject().put("publicKey", B64.encodeToString(new byte[31])));
    assertEquals(400, shortKey.status(), shortKey.toString());
    Api.Response noSuchUser =
        api.post(
            "/api/v1/coordinator-keys/" + "0".repeat(32) + "/decline",
            admin.accessToken(),
            new JsonObject().put("reason", "x"));
    assertEquals(404, noSuchUser.status(), noSuchUser.toString());
  }

  private static void assertReason(String reason, Api.Response response) {
    assertEquals(422, response.status(), response.toString());
    assertEquals("attestation-invalid", response.errorCode());
    assertEquals(
        reason,
        response.json().getJsonObject("error").getJsonObject("details").getString("reason"),
        response.toString());
  }
}
