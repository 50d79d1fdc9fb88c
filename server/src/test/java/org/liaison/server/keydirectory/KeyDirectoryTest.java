package org.liaison.server.keydirectory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.liaison.server.testing.ChannelFixture.b64;
import static org.liaison.server.testing.ChannelFixture.expect;
import static org.liaison.server.testing.ServiceCalls.refused;
import static org.liaison.server.testing.TestServer.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.crypto.Ed25519;
import org.liaison.crypto.mls.ChannelSession;
import org.liaison.crypto.mls.DeviceIdentity;
import org.liaison.server.api.ApiError;
import org.liaison.server.devices.DeviceRepository;
import org.liaison.server.testing.ChannelFixture;
import org.liaison.server.testing.ChannelFixture.Person;
import org.liaison.server.testing.Network;

/** {@link KeyDirectory}'s rules called directly, without HTTP, against a real server's store. */
class KeyDirectoryTest {
  @TempDir Path dataDir;
  ChannelFixture net;
  Vertx vertx;
  KeyDirectory keys;

  @BeforeEach
  void network() {
    net = new ChannelFixture(dataDir);
    vertx = Vertx.vertx();
    var store = net.server.server().store();
    keys = new KeyDirectory(vertx, store, new DeviceRepository(store), net.server.clock);
  }

  @AfterEach
  void close() {
    await(vertx.close());
    net.close();
  }

  private static KeyDirectory.Upload oneTime(byte[]... packages) {
    return new KeyDirectory.Upload(List.of(packages), Optional.empty(), false);
  }

  private static byte[] keyPackage(DeviceIdentity identity) {
    return ChannelSession.newKeyPackage(identity).publicBytes();
  }

  @Test
  void aDevicePublishesOnlyOnceAttestedAndOnlyItsOwnPackages() {
    Person officer = net.person("Officer", "law-enforcement", 2, 0);
    Person youthWorker = net.person("Youth Worker", "youth-work", 2, 0);
    String device = officer.deviceId;

    ApiError other =
        refused(
            422,
            "key-package-invalid",
            () -> keys.upload(device, oneTime(keyPackage(youthWorker.identity))));
    assertEquals("The key package's credential names another user or device", other.getMessage());
    DeviceIdentity impostor =
        new DeviceIdentity(officer.id(), device, Ed25519.KeyPair.generate(), Optional.empty());
    ApiError otherKey =
        refused(
            422, "key-package-invalid", () -> keys.upload(device, oneTime(keyPackage(impostor))));
    assertEquals(
        "The key package is signed by another key than this device's", otherKey.getMessage());
    ApiError garbage =
        refused(422, "key-package-invalid", () -> keys.upload(device, oneTime(new byte[] {0, 1})));
    assertTrue(garbage.getMessage().startsWith("The key package does not decode or verify: "));
    // One bad package refuses the whole upload: nothing of it is stored.
    refused(
        422,
        "key-package-invalid",
        () -> keys.upload(device, oneTime(keyPackage(officer.identity), keyPackage(impostor))));
    assertEquals(new KeyDirectory.Count(0, false), await(keys.count(device)));

    refused(404, "device-not-found", () -> keys.upload("0".repeat(32), oneTime(new byte[1])));
    Network.Member again = net.network().login(officer.member.email(), officer.id());
    String unattested =
        expect(
                201,
                net.api()
                    .post(
                        "/api/v1/devices",
                        again.accessToken(),
                        new JsonObject()
                            .put("name", "tablet")
                            .put("signatureKey", b64(Ed25519.KeyPair.generate().publicKey()))))
            .json()
            .getString("id");
    refused(403, "device-not-attested", () -> keys.upload(unattested, oneTime(new byte[1])));

    byte[] own = keyPackage(officer.identity);
    byte[] lastResort = keyPackage(officer.identity);
    assertEquals(
        new KeyDirectory.Count(1, true),
        await(
            keys.upload(
                device, new KeyDirectory.Upload(List.of(own), Optional.of(lastResort), false))));
  }

  @Test
  void aDeviceKeepsAtMostTheLimitAndReplacingWithdrawsItsUnclaimedPackages() {
    Person officer = net.person("Officer", "law-enforcement", 2, 0);
    List<byte[]> batch = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      batch.add(keyPackage(officer.identity));
    }
    KeyDirectory.Upload hundred = new KeyDirectory.Upload(batch, Optional.empty(), false);
    await(keys.upload(officer.deviceId, hundred));
    List<byte[]> more = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      more.add(keyPackage(officer.identity));
    }
    assertEquals(
        200,
        await(keys.upload(officer.deviceId, new KeyDirectory.Upload(more, Optional.empty(), false)))
            .oneTime());
    ApiError full =
        refused(
            409,
            "too-many-key-packages",
            () -> keys.upload(officer.deviceId, oneTime(keyPackage(officer.identity))));
    assertEquals("A device keeps at most 200 unused key packages; it has 200", full.getMessage());

    byte[] fresh = keyPackage(officer.identity);
    assertEquals(
        new KeyDirectory.Count(1, false),
        await(
            keys.upload(
                officer.deviceId,
                new KeyDirectory.Upload(List.of(fresh), Optional.empty(), true))));
    KeyDirectory.Claims claimed = await(keys.claimFor(Set.of(officer.id())));
    assertArrayEquals(fresh, claimed.items().get(0).keyPackage());
  }

  @Test
  void concurrentClaimsNeverShareAPackageAndUsersWithoutOneAreMissing() {
    Person officer = net.person("Officer", "law-enforcement", 2, 0);
    Person youthWorker = net.person("Youth Worker", "youth-work", 2, 0);
    List<byte[]> packages = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      packages.add(keyPackage(officer.identity));
    }
    byte[] lastResort = keyPackage(officer.identity);
    await(
        keys.upload(
            officer.deviceId, new KeyDirectory.Upload(packages, Optional.of(lastResort), false)));

    List<Future<KeyDirectory.Claims>> claims = new ArrayList<>();
    for (int i = 0; i < 14; i++) {
      claims.add(keys.claimFor(Set.of(officer.id())));
    }
    Set<String> oneTime = new HashSet<>();
    int lastResortServed = 0;
    for (Future<KeyDirectory.Claims> claim : claims) {
      KeyDirectory.Claimed got = await(claim).items().get(0);
      assertEquals(officer.deviceId, got.deviceId());
      if (got.lastResort()) {
        assertArrayEquals(lastResort, got.keyPackage());
        lastResortServed++;
      } else {
        assertTrue(oneTime.add(b64(got.keyPackage())), "a one-time package was handed out twice");
      }
    }
    assertEquals(10, oneTime.size());
    assertEquals(4, lastResortServed);

    // A user whose device published nothing is missing, in the order asked.
    String nobody = "f".repeat(32);
    KeyDirectory.Claims mixed =
        await(
            keys.claimFor(
                new java.util.LinkedHashSet<>(List.of(youthWorker.id(), officer.id(), nobody))));
    assertEquals(
        List.of(officer.id()), mixed.items().stream().map(KeyDirectory.Claimed::userId).toList());
    assertEquals(List.of(youthWorker.id(), nobody), mixed.missing());
  }
}
