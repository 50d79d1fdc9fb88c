package org.liaison.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.Network;
import org.liaison.server.testing.TestServer;

class AuthTest {
  @TempDir Path dataDir;
  TestServer test;
  Api api;
  Network network;
  Network.Member admin;

  @BeforeEach
  void start() {
    test =
        TestServer.start(
            dataDir,
            Map.of(
                "LIAISON_LOGIN_FAILURES_PER_ACCOUNT", "3",
                "LIAISON_LOGIN_FAILURES_PER_ADDRESS", "12",
                "LIAISON_TRUSTED_PROXIES", "127.0.0.1"));
    api = test.api();
    network = new Network(api);
    admin = network.registerAdmin(test.bootstrapCode(), "admin@network.example");
  }

  @AfterEach
  void stop() {
    test.close();
  }

  private Api.Response login(String email, String password) {
    return api.post(
        "/api/v1/auth/login", null, new JsonObject().put("email", email).put("password", password));
  }

  private Api.Response refresh(String token) {
    return api.post("/api/v1/auth/refresh", null, new JsonObject().put("refreshToken", token));
  }

  @Test
  void wrongPasswordAndUnknownEmailGetTheSameAnswer() {
    Api.Response wrong = login(admin.email(), "not the password at all");
    Api.Response unknown = login("nobody@example.org", "not the password at all");
    assertEquals(401, wrong.status());
    assertEquals(401, unknown.status());
    assertEquals(wrong.body(), unknown.body());
    assertEquals("invalid-credentials", wrong.errorCode());
  }

  @Test
  void repeatedFailuresLockTheAccountWithRetryAfter() {
    for (int i = 0; i < 3; i++) {
      assertEquals(401, login(admin.email(), "guess number " + i).status());
    }
    Api.Response locked = login(admin.email(), Network.PASSWORD);
    assertEquals(429, locked.status());
    assertEquals("too-many-requests", locked.errorCode());
    long retryAfter = Long.parseLong(locked.header("Retry-After"));
    assertTrue(retryAfter > 0 && retryAfter <= 900, "Retry-After " + retryAfter);
    test.clock.advance(Duration.ofSeconds(retryAfter + 1));
    assertEquals(200, login(admin.email(), Network.PASSWORD).status());
  }

  private Api.Response loginFrom(String address, String email, String password) {
    return api.send(
        "POST",
        "/api/v1/auth/login",
        null,
        new JsonObject().put("email", email).put("password", password).encode(),
        Map.of("X-Forwarded-For", address));
  }

  @Test
  void oneAddressCannotSprayManyAccounts() {
    int refused = 0;
    for (int i = 0; i < 15; i++) {
      if (loginFrom("203.0.113.7", "user" + i + "@example.org", "some password").status() == 429) {
        refused++;
      }
    }
    assertEquals(15 - 12, refused);
    assertEquals(
        429,
        loginFrom("203.0.113.7", admin.email(), Network.PASSWORD).status(),
        "the sprayer's address is blocked even with a right password");
    assertEquals(
        200,
        loginFrom("198.51.100.20", admin.email(), Network.PASSWORD).status(),
        "a colleague elsewhere is not");
  }

  @Test
  void anOfficeBehindOneAddressCanAllSignIn() {
    for (int i = 0; i < 40; i++) {
      assertEquals(200, loginFrom("192.0.2.10", admin.email(), Network.PASSWORD).status());
    }
  }

  @Test
  void refreshRotatesAndAReusedTokenEndsTheFamily() {
    Api.Response first = refresh(admin.refreshToken());
    assertEquals(200, first.status(), first.toString());
    String second = first.json().getString("refreshToken");
    assertNotEquals(admin.refreshToken(), second);
    String access = first.json().getString("accessToken");
    assertEquals(200, api.get("/api/v1/me", access).status());

    Api.Response replay = refresh(admin.refreshToken());
    assertEquals(401, replay.status());
    assertEquals("refresh-token-reused", replay.errorCode());
    Api.Response afterTheft = refresh(second);
    assertEquals(401, afterTheft.status(), "the whole family is revoked");
    assertEquals("session-ended", afterTheft.errorCode());
    assertEquals(401, api.get("/api/v1/me", access).status(), "its access tokens stop too");
  }

  @Test
  void refreshTokensAreStoredOnlyAsHashes() {
    String everything = test.dump("sessions");
    assertTrue(!everything.contains(admin.refreshToken().split("\\.")[1]));
  }

  @Test
  void logoutEndsTheSessionAtOnce() {
    assertEquals(
        204, api.post("/api/v1/auth/logout", admin.accessToken(), new JsonObject()).status());
    Api.Response me = api.get("/api/v1/me", admin.accessToken());
    assertEquals(401, me.status());
    assertEquals("session-ended", me.errorCode());
    assertEquals(401, refresh(admin.refreshToken()).status());
  }

  @Test
  void expiredAccessTokenIsRefusedWithItsOwnCode() {
    test.clock.advance(Duration.ofMinutes(16));
    Api.Response me = api.get("/api/v1/me", admin.accessToken());
    assertEquals(401, me.status());
    assertEquals("token-expired", me.errorCode());
    Api.Response renewed = refresh(admin.refreshToken());
    assertEquals(200, renewed.status());
    assertEquals(900, renewed.json().getInteger("expiresIn"));
  }

  @Test
  void forgedTokensAreRefused() {
    String[] parts = admin.accessToken().split("\\.");
    String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
    String otherUser =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(
                payload.replace(admin.id(), "0".repeat(32)).getBytes(StandardCharsets.UTF_8));
    String tampered = parts[0] + "." + otherUser + "." + parts[2];
    String unsigned =
        Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(
                    "{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
            + "."
            + parts[1]
            + ".";
    for (String token : new String[] {tampered, unsigned, "garbage", parts[0] + "." + parts[1]}) {
      Api.Response me = api.get("/api/v1/me", token);
      assertEquals(401, me.status(), token);
      assertEquals("invalid-token", me.errorCode());
    }
    Api.Response none = api.get("/api/v1/me", null);
    assertEquals(401, none.status());
    assertEquals("missing-token", none.errorCode());
  }

  @Test
  void registrationChecksTheInvitation() {
    String city = network.createCity(admin, "Prishtina", "XK");
    String org = network.createOrganisation(admin, city, "Prishtina Schools", "education");
    String code = network.invite(admin, "teacher@school.example", city, org, "T0", "member");
    JsonObject base =
        new JsonObject()
            .put("inviteCode", code)
            .put("displayName", "Teacher")
            .put("password", Network.PASSWORD);

    Api.Response wrongEmail =
        api.post("/api/v1/auth/register", null, base.copy().put("email", "other@school.example"));
    assertEquals(403, wrongEmail.status());
    assertEquals("invitation-email-mismatch", wrongEmail.errorCode());

    Api.Response shortPassword =
        api.post(
            "/api/v1/auth/register",
            null,
            base.copy().put("email", "teacher@school.example").put("password", "short pass"));
    assertEquals(400, shortPassword.status());
    assertEquals(
        "password",
        shortPassword.json().getJsonObject("error").getJsonObject("details").getString("field"));

    Api.Response unknown =
        api.post(
            "/api/v1/auth/register",
            null,
            base.copy().put("email", "teacher@school.example").put("inviteCode", "nope"));
    assertEquals(404, unknown.status());
    assertEquals("invitation-not-found", unknown.errorCode());

    test.clock.advance(Duration.ofDays(8));
    Api.Response expired =
        api.post("/api/v1/auth/register", null, base.copy().put("email", "teacher@school.example"));
    // An expired code answers exactly as an unknown one: codes cannot be probed.
    assertEquals(404, expired.status());
    assertEquals(unknown.body(), expired.body());
  }

  @Test
  void invitationsAreStoredOnlyAsHashes() {
    String city = network.createCity(admin, "Sarajevo", "BA");
    String org = network.createOrganisation(admin, city, "Sarajevo Health", "health");
    String code = network.invite(admin, "doc@health.example", city, org, "T1", "member");
    String everything = test.dump("invitations");
    assertNotNull(code);
    assertTrue(!everything.contains(code));
  }
}
