package org.liaison.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.Network;
import org.liaison.server.testing.TestServer;

/** Every class of bad input gets the one envelope, the right status, and no internals. */
class ErrorEnvelopeTest {
  @TempDir static Path dataDir;
  static TestServer test;
  static Api api;
  static Network.Member admin;
  static final List<Api.Response> SEEN = new ArrayList<>();

  @BeforeAll
  static void start() {
    test = TestServer.start(dataDir);
    api = test.api();
    admin = new Network(api).registerAdmin(test.bootstrapCode(), "admin@network.example");
  }

  @AfterAll
  static void stop() {
    test.close();
    for (Api.Response response : SEEN) {
      assertFalse(response.body().contains("Exception"), response.body());
      assertFalse(response.body().contains("\tat "), response.body());
      assertFalse(response.body().contains("org.liaison"), response.body());
    }
  }

  private static Api.Response expect(int status, String code, Api.Response response) {
    SEEN.add(response);
    assertEquals(status, response.status(), response.toString());
    assertTrue(response.header("Content-Type").startsWith("application/json"));
    JsonObject error = response.json().getJsonObject("error");
    assertEquals(code, error.getString("code"));
    assertFalse(error.getString("message").isBlank());
    return response;
  }

  @Test
  void malformedJson() {
    expect(
        400,
        "malformed-json",
        api.send("POST", "/api/v1/cities", admin.accessToken(), "{\"name\": ", Map.of()));
    expect(
        400,
        "malformed-json",
        api.send("POST", "/api/v1/cities", admin.accessToken(), "[1,2]", Map.of()));
  }

  @Test
  void validationNamesTheField() {
    Api.Response response =
        expect(
            400,
            "validation-failed",
            api.post("/api/v1/cities", admin.accessToken(), new JsonObject().put("name", "Oslo")));
    assertEquals(
        "country",
        response.json().getJsonObject("error").getJsonObject("details").getString("field"));
    Api.Response badSector =
        expect(
            400,
            "validation-failed",
            api.post(
                "/api/v1/organisations",
                admin.accessToken(),
                new JsonObject().put("cityId", "x").put("name", "n").put("sector", "army")));
    assertEquals(
        "sector",
        badSector.json().getJsonObject("error").getJsonObject("details").getString("field"));
    expect(
        400,
        "validation-failed",
        api.post(
            "/api/v1/cities",
            admin.accessToken(),
            new JsonObject().put("name", 42).put("country", "NO")));
    expect(400, "validation-failed", api.get("/api/v1/users?tier=T9", admin.accessToken()));
  }

  @Test
  void unauthenticated() {
    expect(401, "missing-token", api.get("/api/v1/users", null));
  }

  @Test
  void forbidden() {
    String city = new Network(api).createCity(admin, "Bergen", "NO");
    String org = new Network(api).createOrganisation(admin, city, "Bergen Youth", "youth-work");
    Network.Member member =
        new Network(api).join(admin, "kari@bergen.example", "Kari", city, org, "T0", "member");
    expect(
        403,
        "forbidden",
        api.post(
            "/api/v1/cities",
            member.accessToken(),
            new JsonObject().put("name", "X").put("country", "Y")));
  }

  @Test
  void unknownRoutesAndIds() {
    expect(404, "not-found", api.get("/api/v1/no-such-thing", admin.accessToken()));
    expect(
        404,
        "user-not-found",
        api.put(
            "/api/v1/users/" + "a".repeat(32) + "/tier",
            admin.accessToken(),
            new JsonObject().put("tier", "T1").put("reason", "r")));
    expect(
        404,
        "user-not-found",
        api.post(
            "/api/v1/users/not-an-id/suspend",
            admin.accessToken(),
            new JsonObject().put("reason", "r")));
  }

  @Test
  void duplicates() {
    new Network(api).createCity(admin, "Oslo", "NO");
    expect(
        409,
        "city-exists",
        api.post(
            "/api/v1/cities",
            admin.accessToken(),
            new JsonObject().put("name", "oslo").put("country", "NO")));
    String city = new Network(api).createCity(admin, "Tromsø", "NO");
    String org = new Network(api).createOrganisation(admin, city, "Tromsø Kommune", "municipality");
    expect(
        409,
        "email-taken",
        new Network(api).tryInvite(admin, "admin@network.example", city, org, "T0", "member"));
  }

  @Test
  void bodyTooLarge() {
    String big = "{\"name\":\"" + "x".repeat(1024 * 1024 + 10) + "\",\"country\":\"NO\"}";
    expect(
        413,
        "payload-too-large",
        api.send("POST", "/api/v1/cities", admin.accessToken(), big, Map.of()));
  }

  @Test
  void wrongMediaType() {
    expect(
        415,
        "unsupported-media-type",
        api.send(
            "POST",
            "/api/v1/cities",
            admin.accessToken(),
            "name=Oslo",
            Map.of("Content-Type", "application/x-www-form-urlencoded")));
  }

  @Test
  void tooManyRequests() {
    Api.Response last = null;
    for (int i = 0; i < 6; i++) {
      last =
          api.post(
              "/api/v1/auth/login",
              null,
              new JsonObject().put("email", "victim@example.org").put("password", "guess " + i));
    }
    expect(429, "too-many-requests", last);
  }
}
