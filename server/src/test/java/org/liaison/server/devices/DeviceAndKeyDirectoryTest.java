package org.liaison.server.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.liaison.server.testing.ChannelFixture.b64;
import static org.liaison.server.testing.ChannelFixture.expect;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.crypto.Ed25519;
import org.liaison.crypto.mls.ChannelSession;
import org.liaison.crypto.mls.DeviceIdentity;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.ChannelFixture;
import org.liaison.server.testing.ChannelFixture.Person;
import org.liaison.server.testing.Network;

/** Devices, attestations and the key directory through the real API. */
class DeviceAndKeyDirectoryTest {
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
  void concurrentClaimsNeverShareAKeyPackageAndTheLastResortServesWhenNoneIsLeft()
      throws Exception {
    Person youthWorker = net.person("Youth Worker", "youth-work", 2, 20);
    KeyPackageSecretsHolder lastResort = new KeyPackageSecretsHolder(youthWorker);
    Person officer = net.person("Officer", "law-enforcement", 2, 0);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<List<byte[]>>> claims = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      claims.add(pool.submit(() -> officer.claim(youthWorker.id())));
    }
    Set<String> oneTime = new HashSet<>();
    int lastResortServed = 0;
    for (Future<List<byte[]>> claim : claims) {
      String keyPackage = b64(claim.get().get(0));
      if (keyPackage.equals(lastResort.bytes)) {
        lastResortServed++;
      } else {
        assertTrue(oneTime.add(keyPackage), "a one-time key package was handed out twice");
      }
    }
    pool.shutdown();
    assertEquals(20, oneTime.size());
    assertEquals(4, lastResortServed);
    JsonObject count =
        expect(200, net.api().get("/api/v1/key-packages/count", youthWorker.token())).json();
    assertEquals(0, count.getInteger("oneTime"));
    assertTrue(count.getBoolean("lastResort"));
  }

  /** Uploads a last-resort package for the person and remembers its bytes. */
  private final class KeyPackageSecretsHolder {
    final String bytes;

    KeyPackageSecretsHolder(Person person) {
      var secrets = ChannelSession.newKeyPackage(person.identity);
      person.keyPackages.add(secrets);
      bytes = b64(secrets.publicBytes());
      expect(
          200,
          net.api()
              .post(
                  "/api/v1/key-packages",
                  person.token(),
                  new JsonObject().put("lastResort", bytes)));
    }
  }

  @Test
  void keyPackagesForAnotherDeviceOrKeyAreRefused() {
    Person officer = net.person("Officer", "law-enforcement", 2, 0);
    Person youthWorker = net.person("Youth Worker", "youth-work", 2, 0);
    // A package whose credential names the youth worker's device, uploaded by the officer.
    byte[] theirs = ChannelSession.newKeyPackage(youthWorker.identity).publicBytes();
    Api.Response refused =
        net.api()
            .post(
                "/api/v1/key-packages",
                officer.token(),
                new JsonObject().put("keyPackages", new JsonArray().add(b64(theirs))));
    assertEquals(422, refused.status());
    assertEquals("key-package-invalid", refused.errorCode());
    // The right ids but another signing key.
    DeviceIdentity impostor =
        new DeviceIdentity(
            officer.id(), officer.deviceId, Ed25519.KeyPair.generate(), Optional.empty());
    refused =
        net.api()
            .post(
                "/api/v1/key-packages",
                officer.token(),
                new JsonObject()
                    .put(
                        "keyPackages",
                        new JsonArray()
                            .add(b64(ChannelSession.newKeyPackage(impostor).publicBytes()))));
    assertEquals("key-package-invalid", refused.errorCode());
    refused =
        net.api()
            .post(
                "/api/v1/key-packages",
                officer.token(),
                new JsonObject()
                    .put("keyPackages", new JsonArray().add("bm90IGFuIE1MUyBtZXNzYWdl")));
    assertEquals("key-package-invalid", refused.errorCode());
    assertEquals(
        0,
        expect(200, net.api().get("/api/v1/key-packages/count", officer.token()))
            .json()
            .getInteger("oneTime"));
  }

  @Test
  void attestationsMustVerifyFromTheRootForThisKeyAndStateTheMembersCurrentTier() {
    Network.Member member =
        net.network()
            .join(
                net.admin,
                "new@mostar.example",
                "New Member",
                net.cityId,
                organisation("youth-work"),
                "T1",
                "member");
    Ed25519.KeyPair key = Ed25519.KeyPair.generate();
    JsonObject device =
        expect(
                201,
                net.api()
                    .post(
                        "/api/v1/devices",
                        member.accessToken(),
                        new JsonObject()
                            .put("name", "phone")
                            .put("signatureKey", b64(key.publicKey()))))
            .json();
    assertEquals("awaiting-attestation", device.getString("status"));
    String id = device.getString("id");
    // A device that is not attested cannot publish key packages.
    assertEquals(
        "device-not-attested",
        net.api()
            .post(
                "/api/v1/key-packages",
                member.accessToken(),
                new JsonObject().put("keyPackages", new JsonArray().add("AAAA")))
            .errorCode());
    // The coordinator sees it waiting.
    JsonArray pending =
        expect(200, net.api().get("/api/v1/devices/pending", net.coordinator.accessToken()))
            .json()
            .getJsonArray("items");
    assertTrue(pending.stream().anyMatch(d -> ((JsonObject) d).getString("id").equals(id)));
    assertEquals(403, net.api().get("/api/v1/devices/pending", member.accessToken()).status());

    String path = "/api/v1/devices/" + id + "/attestation";
    Api.Response wrongKey =
        net.api()
            .put(
                path,
                net.coordinator.accessToken(),
                new JsonObject()
                    .put(
                        "attestation",
                        b64(
                            net.attest(
                                    member.id(),
                                    Ed25519.KeyPair.generate().publicKey(),
                                    1,
                                    "youth-work")
                                .encode())));
    assertEquals(422, wrongKey.status());
    assertEquals(
        "KEY_MISMATCH",
        wrongKey.json().getJsonObject("error").getJsonObject("details").getString("reason"));
    Api.Response wrongTier =
        net.api()
            .put(
                path,
                net.coordinator.accessToken(),
                new JsonObject()
                    .put(
                        "attestation",
                        b64(net.attest(member.id(), key.publicKey(), 2, "youth-work").encode())));
    assertEquals(
        "TIER_MISMATCH",
        wrongTier.json().getJsonObject("error").getJsonObject("details").getString("reason"));
    Api.Response garbage =
        net.api()
            .put(path, net.coordinator.accessToken(), new JsonObject().put("attestation", "AAAA"));
    assertEquals("attestation-invalid", garbage.errorCode());
    JsonObject attested =
        expect(
                200,
                net.api()
                    .put(
                        path,
                        net.coordinator.accessToken(),
                        new JsonObject()
                            .put(
                                "attestation",
                                b64(
                                    net.attest(member.id(), key.publicKey(), 1, "youth-work")
                                        .encode()))))
            .json();
    assertEquals("active", attested.getString("status"));
    // Others see it with its attestation, for safety numbers.
    JsonArray visible =
        expect(
                200,
                net.api().get("/api/v1/users/" + member.id() + "/devices", net.admin.accessToken()))
            .json()
            .getJsonArray("items");
    assertEquals(1, visible.size());
    assertTrue(visible.getJsonObject(0).containsKey("attestation"));
  }

  private String organisation(String sector) {
    JsonArray orgs =
        expect(
                200,
                net.api()
                    .get("/api/v1/organisations?cityId=" + net.cityId, net.admin.accessToken()))
            .json()
            .getJsonArray("items");
    return orgs.stream()
        .map(o -> (JsonObject) o)
        .filter(o -> o.getString("sector").equals(sector))
        .findFirst()
        .orElseThrow()
        .getString("id");
  }

  @Test
  void aSessionBindsToOneDeviceAndANewSessionMustProveTheDeviceKey() {
    Person officer = net.person("Officer", "law-enforcement", 2, 1);
    assertEquals(
        "device-already-registered",
        net.api()
            .post(
                "/api/v1/devices",
                officer.token(),
                new JsonObject()
                    .put("name", "second")
                    .put("signatureKey", b64(Ed25519.KeyPair.generate().publicKey())))
            .errorCode());
    Network.Member again = net.network().login(officer.member.email(), officer.id());
    assertEquals(
        "device-required",
        net.api().get("/api/v1/key-packages/count", again.accessToken()).errorCode());
    Api.Response forged =
        net.api()
            .post(
                "/api/v1/devices/" + officer.deviceId + "/session",
                again.accessToken(),
                new JsonObject().put("signature", b64(new byte[64])));
    assertEquals(403, forged.status());
    assertEquals("bad-signature", forged.errorCode());
    officer.signIn();
    expect(200, net.api().get("/api/v1/key-packages/count", officer.token()));
  }

  @Test
  void revokingADeviceEndsItsSessionsAndRemovesItsKeyPackages() {
    Person officer = net.person("Officer", "law-enforcement", 2, 3);
    Person youthWorker = net.person("Youth Worker", "youth-work", 2, 3);
    assertEquals(
        404,
        net.api()
            .post(
                "/api/v1/devices/" + officer.deviceId + "/revoke",
                youthWorker.token(),
                new JsonObject())
            .status());
    expect(
        200,
        net.api()
            .post(
                "/api/v1/devices/" + officer.deviceId + "/revoke",
                officer.token(),
                new JsonObject()));
    assertEquals("session-ended", net.api().get("/api/v1/me", officer.token()).errorCode());
    JsonObject claim =
        expect(
                200,
                net.api()
                    .post(
                        "/api/v1/key-packages/claim",
                        youthWorker.token(),
                        new JsonObject().put("userIds", new JsonArray().add(officer.id()))))
            .json();
    assertEquals(0, claim.getJsonArray("items").size());
    assertEquals(officer.id(), claim.getJsonArray("missing").getString(0));
  }

  @Test
  void aRestartedDeviceReplacesThePackagesWhoseSecretsItLost() {
    Person officer = net.person("Officer", "law-enforcement", 2, 3);
    Person youthWorker = net.person("Youth Worker", "youth-work", 2, 0);
    var fresh = ChannelSession.newKeyPackage(officer.identity);
    JsonObject count =
        expect(
                200,
                net.api()
                    .post(
                        "/api/v1/key-packages",
                        officer.token(),
                        new JsonObject()
                            .put("keyPackages", new JsonArray().add(b64(fresh.publicBytes())))
                            .put("replace", true)))
            .json();
    assertEquals(1, count.getInteger("oneTime"));
    assertEquals(b64(fresh.publicBytes()), b64(youthWorker.claim(officer.id()).get(0)));
  }
}
