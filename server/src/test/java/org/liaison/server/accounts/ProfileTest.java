package org.liaison.server.accounts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.Network;
import org.liaison.server.testing.TestServer;

/**
 * {@code PATCH /api/v1/me}: a user changes their own display name and preferred language, and
 * nothing else.
 */
class ProfileTest {
  @TempDir Path dataDir;

  static Api.Response patch(Api api, String token, JsonObject body) {
    return api.send("PATCH", "/api/v1/me", token, body.encode(), Map.of());
  }

  static void assertInvalid(Api.Response response, String field) {
    assertEquals(400, response.status(), response.toString());
    assertEquals("validation-failed", response.errorCode());
    assertEquals(
        field,
        response.json().getJsonObject("error").getJsonObject("details").getString("field"),
        response.toString());
  }

  @Test
  void aUserChangesTheirLanguageOnlyToASupportedOneAndItIsAudited() {
    try (TestServer test = TestServer.start(dataDir)) {
      Api api = test.api();
      Network network = new Network(api);
      Network.Member admin = network.registerAdmin(test.bootstrapCode(), "admin@network.example");
      String city = network.createCity(admin, "Tirana", "AL");
      String org = network.createOrganisation(admin, city, "Youth Centre", "youth-work");
      Network.Member member =
          network.join(admin, "arben@tirana.example", "Arben", city, org, "T1", "member");
      assertEquals(
          "en", api.get("/api/v1/me", member.accessToken()).json().getString("preferredLanguage"));

      Api.Response changed =
          patch(api, member.accessToken(), new JsonObject().put("preferredLanguage", "sq"));
      assertEquals(200, changed.status(), changed.toString());
      assertEquals("sq", changed.json().getString("preferredLanguage"));
      assertEquals(member.id(), changed.json().getString("id"));
      assertEquals(
          "sq", api.get("/api/v1/me", member.accessToken()).json().getString("preferredLanguage"));

      // the same rule as at registration; nothing else can be changed this way
      assertInvalid(
          patch(api, member.accessToken(), new JsonObject().put("preferredLanguage", "xx")),
          "preferredLanguage");
      assertInvalid(
          patch(api, member.accessToken(), new JsonObject().put("preferredLanguage", 7)),
          "preferredLanguage");
      assertInvalid(patch(api, member.accessToken(), new JsonObject()), "preferredLanguage");
      assertInvalid(
          patch(
              api,
              member.accessToken(),
              new JsonObject().put("preferredLanguage", "fr").put("tier", "T3")),
          "tier");
      JsonObject me = api.get("/api/v1/me", member.accessToken()).json();
      assertEquals("sq", me.getString("preferredLanguage"));
      assertEquals("T1", me.getString("tier"));
      assertEquals("Arben", me.getString("displayName"));

      Api.Response anonymous = patch(api, null, new JsonObject().put("preferredLanguage", "fr"));
      assertEquals(401, anonymous.status(), anonymous.toString());

      List<JsonObject> audited =
          api.get("/api/v1/audit", admin.accessToken()).json().getJsonArray("items").stream()
              .map(JsonObject.class::cast)
              .filter(e -> e.getString("action").equals("user.language-changed"))
              .toList();
      assertEquals(1, audited.size(), audited.toString());
      assertEquals(member.id(), audited.get(0).getString("actorId"));
      assertEquals(member.id(), audited.get(0).getString("targetId"));
      assertEquals("en", audited.get(0).getJsonObject("details").getString("from"));
      assertEquals("sq", audited.get(0).getJsonObject("details").getString("to"));
    }
  }

  @Test
  void aUserChangesTheirDisplayNameUnderTheRegistrationRulesAndOthersAreTold() throws Exception {
    try (TestServer test = TestServer.start(dataDir)) {
      Api api = test.api();
      Network network = new Network(api);
      Network.Member admin = network.registerAdmin(test.bootstrapCode(), "admin@network.example");
      String city = network.createCity(admin, "Tirana", "AL");
      String org = network.createOrganisation(admin, city, "Youth Centre", "youth-work");
      Network.Member member =
          network.join(admin, "arben@tirana.example", "Arben", city, org, "T1", "member");

      // names follow the registration rule; other fields are still refused
      assertInvalid(
          patch(api, member.accessToken(), new JsonObject().put("displayName", "  ")),
          "displayName");
      assertInvalid(
          patch(api, member.accessToken(), new JsonObject().put("displayName", "Ar\u202Eben")),
          "displayName");
      assertInvalid(
          patch(api, member.accessToken(), new JsonObject().put("displayName", "\u0410na")),
          "displayName");
      assertInvalid(
          patch(api, member.accessToken(), new JsonObject().put("displayName", 5)), "displayName");
      assertInvalid(
          patch(
              api,
              member.accessToken(),
              new JsonObject().put("displayName", "Arben K.").put("role", "network-admin")),
          "role");
      assertEquals(
          "Arben", api.get("/api/v1/me", member.accessToken()).json().getString("displayName"));

      Api.Response changed =
          patch(
              api,
              member.accessToken(),
              new JsonObject()
                  .put("displayName", "  Arben   Krasniqi ")
                  .put("preferredLanguage", "sq"));
      assertEquals(200, changed.status(), changed.toString());
      assertEquals("Arben Krasniqi", changed.json().getString("displayName"));
      assertEquals("sq", changed.json().getString("preferredLanguage"));

      // others learn it from the directory
      JsonObject listed =
          api.get("/api/v1/users", admin.accessToken()).json().getJsonArray("items").stream()
              .map(JsonObject.class::cast)
              .filter(u -> u.getString("id").equals(member.id()))
              .findFirst()
              .orElseThrow();
      assertEquals("Arben Krasniqi", listed.getString("displayName"));

      List<JsonObject> audited =
          api.get("/api/v1/audit", admin.accessToken()).json().getJsonArray("items").stream()
              .map(JsonObject.class::cast)
              .filter(e -> e.getString("action").equals("user.renamed"))
              .toList();
      assertEquals(1, audited.size(), audited.toString());
      assertEquals("Arben", audited.get(0).getJsonObject("details").getString("from"));
      assertEquals("Arben Krasniqi", audited.get(0).getJsonObject("details").getString("to"));
    }
  }
}
