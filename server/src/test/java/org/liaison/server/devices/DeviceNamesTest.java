package org.liaison.server.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.liaison.server.testing.ChannelFixture.b64;
import static org.liaison.server.testing.ChannelFixture.expect;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.crypto.Ed25519;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.Network;
import org.liaison.server.testing.TestServer;

/** Distinct default names for a member's devices, and renaming one's own. */
class DeviceNamesTest {
  @TempDir Path dataDir;
  TestServer server;
  Api api;
  Network network;
  Network.Member admin;
  String cityId;
  String orgId;

  @BeforeEach
  void start() {
    server = TestServer.start(dataDir);
    api = server.api();
    network = new Network(api);
    admin = network.registerAdmin(server.bootstrapCode(), "admin@network.example");
    cityId = network.createCity(admin, "Mostar", "BA");
    orgId = network.createOrganisation(admin, cityId, "Mostar youth", "youth-work");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private JsonObject register(String token, String name) {
    return expect(
            201,
            api.post(
                "/api/v1/devices",
                token,
                new JsonObject()
                    .put("name", name)
                    .put("signatureKey", b64(Ed25519.KeyPair.generate().publicKey()))))
        .json();
  }

  private Api.Response rename(String token, String deviceId, Object name) {
    return api.put(
        "/api/v1/devices/" + deviceId + "/name", token, new JsonObject().put("name", name));
  }

  @Test
  void aSecondDeviceOfTheSameKindGetsANumber() {
    Network.Member member =
        network.join(admin, "youth@mostar.example", "Youth Worker", cityId, orgId, "T1", "member");
    assertEquals(
        "Firefox on Linux", register(member.accessToken(), "Firefox on Linux").getString("name"));
    Network.Member second = network.login(member.email(), member.id());
    assertEquals(
        "Firefox on Linux (2)",
        register(second.accessToken(), "Firefox on Linux").getString("name"));
    Network.Member third = network.login(member.email(), member.id());
    assertEquals(
        "Firefox on Linux (3)",
        register(third.accessToken(), "Firefox on Linux").getString("name"));
    Network.Member fourth = network.login(member.email(), member.id());
    assertEquals(
        "Chromium on Android",
        register(fourth.accessToken(), "Chromium on Android").getString("name"));

    // Another member's devices do not count.
    Network.Member other =
        network.join(admin, "other@mostar.example", "Other", cityId, orgId, "T1", "member");
    assertEquals(
        "Firefox on Linux", register(other.accessToken(), "Firefox on Linux").getString("name"));

    // A name at the length limit still gets its number, within the limit.
    String long64 = "x".repeat(64);
    Network.Member fifth = network.login(member.email(), member.id());
    register(fifth.accessToken(), long64);
    Network.Member sixth = network.login(member.email(), member.id());
    String numbered = register(sixth.accessToken(), long64).getString("name");
    assertEquals(64, numbered.length());
    assertTrue(numbered.endsWith(" (2)"), numbered);
  }

  @Test
  void membersRenameTheirOwnDevicesOnlyWithValidDistinctNames() {
    Network.Member member =
        network.join(admin, "youth@mostar.example", "Youth Worker", cityId, orgId, "T1", "member");
    String first = register(member.accessToken(), "Browser on Linux").getString("id");
    Network.Member again = network.login(member.email(), member.id());
    String second = register(again.accessToken(), "Browser on Linux").getString("id");

    JsonObject renamed =
        expect(200, rename(member.accessToken(), first, "  Office laptop  ")).json();
    assertEquals("Office laptop", renamed.getString("name"));
    List<String> names =
        expect(200, api.get("/api/v1/devices", member.accessToken()))
            .json()
            .getJsonArray("items")
            .stream()
            .map(o -> ((JsonObject) o).getString("name"))
            .sorted()
            .toList();
    assertEquals(List.of("Browser on Linux (2)", "Office laptop"), names);

    Api.Response taken = rename(again.accessToken(), second, "Office laptop");
    assertEquals(409, taken.status(), taken.toString());
    assertEquals("device-name-taken", taken.errorCode());
    // Keeping one's own name is no conflict.
    expect(200, rename(member.accessToken(), first, "Office laptop"));

    for (Object bad : new Object[] {"", "   ", "x".repeat(65), "tab\tname", 42}) {
      Api.Response r = rename(member.accessToken(), first, bad);
      assertEquals(400, r.status(), bad + " " + r);
      assertEquals("validation-failed", r.errorCode());
    }

    // Someone else's device is absent to them, even for an admin; so is a made-up id.
    Network.Member other =
        network.join(admin, "other@mostar.example", "Other", cityId, orgId, "T1", "member");
    assertEquals(404, rename(other.accessToken(), first, "Mine now").status());
    assertEquals(404, rename(admin.accessToken(), first, "Mine now").status());
    assertEquals(404, rename(member.accessToken(), "not-an-id", "Name").status());

    // A revoked device keeps its name.
    expect(200, api.post("/api/v1/devices/" + second + "/revoke", member.accessToken(), null));
    Api.Response revoked = rename(member.accessToken(), second, "Old phone");
    assertEquals(410, revoked.status(), revoked.toString());

    // Audited, with the name.
    String log = expect(200, api.get("/api/v1/audit?limit=500", admin.accessToken())).body();
    assertTrue(log.contains("device.renamed") && log.contains("Office laptop"), log);
  }
}
