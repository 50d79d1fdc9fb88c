package org.liaison.server.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.liaison.crypto.Ed25519;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.ChannelFixture;
import org.liaison.server.testing.Network;

/**
 * Who may revoke whose device, through the API: the same "who administers whom" rule as tier
 * changes. The owner may always; a city coordinator only in its own city and only for people at or
 * below its own tier and role; a network admin anyone. Outside the city the device is answered as
 * absent; above the actor, 403.
 */
class DeviceRevocationRulesTest {
  @TempDir static Path dataDir;
  static ChannelFixture net;
  static Map<String, Network.Member> people;

  @BeforeAll
  static void network() {
    net = new ChannelFixture(dataDir);
    Network network = net.network();
    String org = network.createOrganisation(net.admin, net.cityId, "Mostar Youth", "youth-work");
    String otherCity = network.createCity(net.admin, "Banja Luka", "BA");
    String otherOrg =
        network.createOrganisation(net.admin, otherCity, "Banja Luka Youth", "youth-work");
    Network.Member deputy =
        network.join(
            net.admin,
            "deputy@mostar.example",
            "Deputy",
            net.cityId,
            org,
            "T2",
            "city-coordinator");
    people =
        Map.of(
            "admin", net.admin,
            "coordinator T3", net.coordinator,
            "coordinator T2", deputy,
            "member T1", join(network, "t1@mostar.example", net.cityId, org, "T1", "member"),
            "member T2", join(network, "t2@mostar.example", net.cityId, org, "T2", "member"),
            "member T3", join(network, "t3@mostar.example", net.cityId, org, "T3", "member"),
            "peer coordinator T2",
                join(network, "peer@mostar.example", net.cityId, org, "T2", "city-coordinator"),
            "other city coordinator T3",
                join(
                    network,
                    "coord@banjaluka.example",
                    otherCity,
                    otherOrg,
                    "T3",
                    "city-coordinator"),
            "other city member T1",
                join(network, "t1@banjaluka.example", otherCity, otherOrg, "T1", "member"));
  }

  private static Network.Member join(
      Network network, String email, String cityId, String org, String tier, String role) {
    return network.join(net.admin, email, email, cityId, org, tier, role);
  }

  @AfterAll
  static void close() {
    net.close();
  }

  /** actor, owner of the device, expected status (and error code when refused). */
  static Stream<Arguments> cases() {
    return Stream.of(
        // Everyone may revoke their own device.
        Arguments.of("member T1", "member T1", 200, null),
        Arguments.of("coordinator T2", "coordinator T2", 200, null),
        // A member administers nobody: someone else's device is as if absent.
        Arguments.of("member T2", "member T1", 404, "device-not-found"),
        // A coordinator: own city, at or below its own tier and role.
        Arguments.of("coordinator T2", "member T1", 200, null),
        Arguments.of("coordinator T2", "member T2", 200, null),
        Arguments.of("coordinator T2", "peer coordinator T2", 200, null),
        Arguments.of("coordinator T2", "member T3", 403, "forbidden"),
        Arguments.of("coordinator T2", "coordinator T3", 403, "forbidden"),
        Arguments.of("coordinator T3", "member T3", 200, null),
        // Never in another city, whatever the tiers.
        Arguments.of("coordinator T3", "other city member T1", 404, "device-not-found"),
        Arguments.of("other city coordinator T3", "member T1", 404, "device-not-found"),
        // A network admin administers everyone.
        Arguments.of("admin", "member T3", 200, null),
        Arguments.of("admin", "coordinator T3", 200, null),
        Arguments.of("admin", "other city member T1", 200, null));
  }

  @ParameterizedTest(name = "{0} revokes a device of {1}: {2}")
  @MethodSource("cases")
  void revocationFollowsWhoAdministersWhom(
      String actor, String owner, int status, String errorCode) {
    String device = registerDevice(people.get(owner));
    Api.Response response =
        net.api()
            .post(
                "/api/v1/devices/" + device + "/revoke",
                people.get(actor).accessToken(),
                new JsonObject());
    assertEquals(status, response.status(), response.toString());
    if (errorCode != null) {
      assertEquals(errorCode, response.errorCode());
    }
    String expected = status == 200 ? "revoked" : "awaiting-attestation";
    assertEquals(expected, statusAsOwnerSees(people.get(owner), device), "device " + device);
  }

  /** A new session of the owner with a new (unattested) device registered to it. */
  private static String registerDevice(Network.Member owner) {
    Network.Member session = net.network().login(owner.email(), owner.id());
    Api.Response registered =
        net.api()
            .post(
                "/api/v1/devices",
                session.accessToken(),
                new JsonObject()
                    .put("name", "laptop")
                    .put(
                        "signatureKey",
                        ChannelFixture.b64(Ed25519.KeyPair.generate().publicKey())));
    assertEquals(201, registered.status(), registered.toString());
    return registered.json().getString("id");
  }

  /** The device's status as its owner lists it. */
  private static String statusAsOwnerSees(Network.Member owner, String device) {
    Network.Member session = net.network().login(owner.email(), owner.id());
    for (Object item :
        net.api().get("/api/v1/devices", session.accessToken()).json().getJsonArray("items")) {
      JsonObject found = (JsonObject) item;
      if (found.getString("id").equals(device)) {
        return found.getString("status");
      }
    }
    throw new AssertionError("no device " + device);
  }
}
