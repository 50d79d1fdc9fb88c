package org.liaison.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.crypto.Ed25519;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.ChannelFixture;
import org.liaison.server.testing.Network;
import org.liaison.server.testing.TestServer;

/**
 * Account basics: changing one's password, an administrator's one-time reset link, and deleting
 * one's own account; each with the refusals people can run into.
 */
class AccountBasicsTest {
  private static final String NEW_PASSWORD = "a much longer new passphrase";

  @TempDir Path dataDir;

  /** A small network: an admin, a city with a coordinator and a member. */
  private record World(
      TestServer test,
      Api api,
      Network network,
      Network.Member admin,
      Network.Member coordinator,
      Network.Member member) {}

  private static World world(TestServer test) {
    Api api = test.api();
    Network network = new Network(api);
    Network.Member admin = network.registerAdmin(test.bootstrapCode(), "admin@network.example");
    String city = network.createCity(admin, "Tirana", "AL");
    String org = network.createOrganisation(admin, city, "Youth Centre", "youth-work");
    Network.Member coordinator =
        network.join(admin, "coord@tirana.example", "Coord", city, org, "T2", "city-coordinator");
    Network.Member member =
        network.join(admin, "arben@tirana.example", "Arben", city, org, "T1", "member");
    return new World(test, api, network, admin, coordinator, member);
  }

  private static Api.Response login(Api api, String email, String password) {
    return api.post(
        "/api/v1/auth/login", null, new JsonObject().put("email", email).put("password", password));
  }

  private static Api.Response changePassword(Api api, String token, String current, String next) {
    return api.post(
        "/api/v1/me/password",
        token,
        new JsonObject().put("currentPassword", current).put("newPassword", next));
  }

  private static Api.Response deleteMe(Api api, String token, JsonObject body) {
    return api.send("DELETE", "/api/v1/me", token, body.encode(), Map.of());
  }

  private static List<JsonObject> audited(World w, String action) {
    return w
        .api()
        .get("/api/v1/audit?limit=500", w.admin().accessToken())
        .json()
        .getJsonArray("items")
        .stream()
        .map(JsonObject.class::cast)
        .filter(e -> e.getString("action").equals(action))
        .toList();
  }

  private static void assertError(Api.Response response, int status, String code) {
    assertEquals(status, response.status(), response.toString());
    assertEquals(code, response.errorCode(), response.toString());
  }

  @Test
  void aMemberChangesTheirPasswordAndTheirOtherSessionsEnd() {
    try (TestServer test = TestServer.start(dataDir)) {
      World w = world(test);
      Api api = w.api();
      Network.Member other = w.network().login(w.member().email(), w.member().id());

      assertError(
          changePassword(api, w.member().accessToken(), "not my password at all", NEW_PASSWORD),
          403,
          "wrong-password");
      assertError(
          changePassword(api, w.member().accessToken(), Network.PASSWORD, "short"),
          400,
          "validation-failed");
      assertError(
          changePassword(api, w.member().accessToken(), Network.PASSWORD, Network.PASSWORD),
          400,
          "validation-failed");
      assertError(
          api.post(
              "/api/v1/me/password",
              w.member().accessToken(),
              new JsonObject().put("newPassword", NEW_PASSWORD)),
          400,
          "validation-failed");
      assertEquals(401, changePassword(api, null, Network.PASSWORD, NEW_PASSWORD).status());

      Api.Response changed =
          changePassword(api, w.member().accessToken(), Network.PASSWORD, NEW_PASSWORD);
      assertEquals(200, changed.status(), changed.toString());
      assertEquals(1, changed.json().getInteger("sessionsEnded"));

      // this session goes on; the other one has ended
      assertEquals(200, api.get("/api/v1/me", w.member().accessToken()).status());
      assertError(api.get("/api/v1/me", other.accessToken()), 401, "session-ended");
      assertError(login(api, w.member().email(), Network.PASSWORD), 401, "invalid-credentials");
      assertEquals(200, login(api, w.member().email(), NEW_PASSWORD).status());

      List<JsonObject> entries = audited(w, "user.password-changed");
      assertEquals(1, entries.size(), entries.toString());
      assertEquals(w.member().id(), entries.get(0).getString("actorId"));
      assertFalse(entries.get(0).encode().contains(NEW_PASSWORD));
      assertFalse(entries.get(0).encode().contains(Network.PASSWORD));
    }
  }

  @Test
  void wrongCurrentPasswordsAreThrottledLikeLogins() {
    try (TestServer test =
        TestServer.start(dataDir, Map.of("LIAISON_LOGIN_FAILURES_PER_ACCOUNT", "2"))) {
      World w = world(test);
      for (int i = 0; i < 2; i++) {
        assertError(
            changePassword(w.api(), w.member().accessToken(), "wrong guess " + i, NEW_PASSWORD),
            403,
            "wrong-password");
      }
      assertError(
          changePassword(w.api(), w.member().accessToken(), "wrong guess 3", NEW_PASSWORD),
          429,
          "too-many-requests");
    }
  }

  @Test
  void anAdministratorMakesAOneTimeResetLink() {
    try (TestServer test = TestServer.start(dataDir)) {
      World w = world(test);
      Api api = w.api();
      String path = "/api/v1/users/" + w.member().id() + "/password-reset";

      // a member cannot make one, nor anyone for themselves
      assertError(api.post(path, w.member().accessToken(), new JsonObject()), 403, "forbidden");
      assertError(
          api.post(
              "/api/v1/users/" + w.admin().id() + "/password-reset",
              w.admin().accessToken(),
              new JsonObject()),
          403,
          "forbidden");
      assertError(
          api.post(
              "/api/v1/users/nobody0000000000000000/password-reset",
              w.admin().accessToken(),
              new JsonObject()),
          404,
          "user-not-found");

      // the member's city coordinator may; a newer link replaces the older one
      Api.Response first = api.post(path, w.coordinator().accessToken(), new JsonObject());
      assertEquals(201, first.status(), first.toString());
      Api.Response made = api.post(path, w.admin().accessToken(), new JsonObject());
      assertEquals(201, made.status(), made.toString());
      String link = made.json().getString("link");
      assertTrue(link.contains("/reset/"), link);
      String code = link.substring(link.indexOf("/reset/") + 7);
      String replaced =
          first
              .json()
              .getString("link")
              .substring(first.json().getString("link").indexOf("/reset/") + 7);
      assertEquals(
          test.clock.instant().plus(Duration.ofHours(72)).toEpochMilli(),
          java.time.Instant.parse(made.json().getString("expiresAt")).toEpochMilli(),
          100);
      assertFalse(test.dump("password_resets").contains(code), "only the hash is stored");

      Network.Member session = w.network().login(w.member().email(), w.member().id());
      assertError(reset(api, replaced, NEW_PASSWORD), 404, "reset-code-invalid");
      assertError(reset(api, "unknown-code", NEW_PASSWORD), 404, "reset-code-invalid");
      assertError(reset(api, code, "short"), 400, "validation-failed");

      Api.Response done = reset(api, code, NEW_PASSWORD);
      assertEquals(200, done.status(), done.toString());
      assertEquals(w.member().email(), done.json().getString("email"));
      // every session ends; the new password signs in, the old one not
      assertError(api.get("/api/v1/me", session.accessToken()), 401, "session-ended");
      assertError(api.get("/api/v1/me", w.member().accessToken()), 401, "session-ended");
      assertEquals(200, login(api, w.member().email(), NEW_PASSWORD).status());
      assertError(login(api, w.member().email(), Network.PASSWORD), 401, "invalid-credentials");
      // used: it works once
      assertError(reset(api, code, "yet another passphrase"), 404, "reset-code-invalid");

      assertEquals(2, audited(w, "user.password-reset-created").size());
      List<JsonObject> used = audited(w, "user.password-reset");
      assertEquals(1, used.size());
      assertFalse(used.get(0).encode().contains(code));
    }
  }

  @Test
  void aResetLinkExpiresAfter72Hours() {
    try (TestServer test = TestServer.start(dataDir)) {
      World w = world(test);
      Api.Response made =
          w.api()
              .post(
                  "/api/v1/users/" + w.member().id() + "/password-reset",
                  w.admin().accessToken(),
                  new JsonObject());
      String link = made.json().getString("link");
      test.clock.advance(Duration.ofHours(72).plusSeconds(1));
      assertError(
          reset(w.api(), link.substring(link.indexOf("/reset/") + 7), NEW_PASSWORD),
          404,
          "reset-code-invalid");
    }
  }

  private static Api.Response reset(Api api, String code, String password) {
    return api.post(
        "/api/v1/auth/password-reset",
        null,
        new JsonObject().put("code", code).put("newPassword", password));
  }

  @Test
  void aMemberDeletesTheirAccount() {
    try (TestServer test = TestServer.start(dataDir)) {
      World w = world(test);
      Api api = w.api();
      Network.Member withDevice = w.network().login(w.member().email(), w.member().id());
      Api.Response device =
          api.post(
              "/api/v1/devices",
              withDevice.accessToken(),
              new JsonObject()
                  .put("name", "laptop")
                  .put("signatureKey", ChannelFixture.b64(Ed25519.KeyPair.generate().publicKey())));
      assertEquals(201, device.status(), device.toString());

      assertError(
          deleteMe(api, w.member().accessToken(), new JsonObject().put("password", "wrong one")),
          403,
          "wrong-password");
      assertError(
          deleteMe(api, w.member().accessToken(), new JsonObject()), 400, "validation-failed");

      Api.Response deleted =
          deleteMe(
              api, w.member().accessToken(), new JsonObject().put("password", Network.PASSWORD));
      assertEquals(204, deleted.status(), deleted.toString());

      // deleted users cannot sign in, and their tokens stop working
      assertError(login(api, w.member().email(), Network.PASSWORD), 403, "account-deleted");
      assertError(
          login(api, w.member().email(), "some other password"), 401, "invalid-credentials");
      assertError(api.get("/api/v1/me", withDevice.accessToken()), 403, "account-deleted");

      // erased: others see "Deleted member", no e-mail
      JsonObject listed =
          api.get("/api/v1/users", w.admin().accessToken()).json().getJsonArray("items").stream()
              .map(JsonObject.class::cast)
              .filter(u -> u.getString("id").equals(w.member().id()))
              .findFirst()
              .orElseThrow();
      assertEquals("Deleted member", listed.getString("displayName"));
      assertEquals("deleted", listed.getString("status"));
      assertFalse(listed.encode().contains("arben@tirana.example"), listed.encode());
      assertFalse(test.dump("users").contains("arben@tirana.example"));

      // nobody can bring the account back
      assertError(
          api.post(
              "/api/v1/users/" + w.member().id() + "/reactivate",
              w.admin().accessToken(),
              new JsonObject().put("reason", "oops")),
          409,
          "user-deleted");

      // the address can be invited again
      w.network()
          .join(
              w.admin(),
              "arben@tirana.example",
              "Arben again",
              listed.getString("cityId"),
              listed.getString("organisationId"),
              "T1",
              "member");

      List<JsonObject> entries = audited(w, "user.deleted");
      assertEquals(1, entries.size());
      assertEquals("1", entries.get(0).getJsonObject("details").getString("devicesRevoked"));
      assertEquals(1, audited(w, "device.revoked").size());
    }
  }

  @Test
  void theLastNetworkAdminCannotDeleteThemselves() {
    try (TestServer test = TestServer.start(dataDir)) {
      World w = world(test);
      Api.Response refused =
          deleteMe(
              w.api(), w.admin().accessToken(), new JsonObject().put("password", Network.PASSWORD));
      assertError(refused, 409, "last-admin");
      assertTrue(refused.json().getJsonObject("error").getString("message").contains("only"));
      assertEquals(200, w.api().get("/api/v1/me", w.admin().accessToken()).status());
    }
  }
}
