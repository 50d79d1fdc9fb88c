package org.liaison.server.invitations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.Network;
import org.liaison.server.testing.TestServer;

/** Listing and withdrawing pending invitations, as admins and coordinators do it. */
class InvitationAdministrationTest {
  @TempDir Path dataDir;

  private static List<JsonObject> items(Api.Response response) {
    assertEquals(200, response.status(), response.toString());
    JsonArray items = response.json().getJsonArray("items");
    return items.stream().map(JsonObject.class::cast).toList();
  }

  @Test
  void adminsSeeEveryCitysPendingInvitationsAndCoordinatorsTheirOwn() {
    try (TestServer test = TestServer.start(dataDir)) {
      Api api = test.api();
      Network network = new Network(api);
      Network.Member admin = network.registerAdmin(test.bootstrapCode(), "admin@network.example");
      String tirana = network.createCity(admin, "Tirana", "AL");
      String tiranaOrg =
          network.createOrganisation(admin, tirana, "Tirana Police", "law-enforcement");
      String skopje = network.createCity(admin, "Skopje", "MK");
      String skopjeOrg = network.createOrganisation(admin, skopje, "Skopje NGO", "civil-society");
      Network.Member coordinator =
          network.join(
              admin, "ana@tirana.example", "Ana", tirana, tiranaOrg, "T2", "city-coordinator");
      network.invite(coordinator, "besa@tirana.example", tirana, tiranaOrg, "T1", "member");
      network.invite(admin, "goce@skopje.example", skopje, skopjeOrg, "T0", "member");
      String usedCode =
          network.invite(admin, "used@skopje.example", skopje, skopjeOrg, "T0", "member");
      network.register(usedCode, "used@skopje.example", "Used");

      List<JsonObject> all = items(api.get("/api/v1/invitations", admin.accessToken()));
      assertEquals(
          List.of("goce@skopje.example", "besa@tirana.example"),
          all.stream().map(i -> i.getString("email")).toList(),
          "pending only, newest first; used and bootstrap invitations are not listed");
      JsonObject besa = all.get(1);
      assertEquals(tirana, besa.getString("cityId"));
      assertEquals(tiranaOrg, besa.getString("organisationId"));
      assertEquals("T1", besa.getString("tier"));
      assertEquals("member", besa.getString("role"));
      assertEquals("law-enforcement", besa.getString("sector"));
      assertEquals(coordinator.id(), besa.getString("createdBy"));
      assertFalse(besa.getBoolean("expired"));
      assertTrue(besa.getString("expiresAt").compareTo(besa.getString("createdAt")) > 0);
      assertNull(besa.getValue("code"), "the code is never listed");
      assertNull(besa.getValue("codeHash"), "nor its hash");

      List<JsonObject> own = items(api.get("/api/v1/invitations", coordinator.accessToken()));
      assertEquals(
          List.of("besa@tirana.example"), own.stream().map(i -> i.getString("email")).toList());
    }
  }

  @Test
  void membersCannotListInvitations() {
    try (TestServer test = TestServer.start(dataDir)) {
      Api api = test.api();
      Network network = new Network(api);
      Network.Member admin = network.registerAdmin(test.bootstrapCode(), "admin@network.example");
      String city = network.createCity(admin, "Tirana", "AL");
      String org = network.createOrganisation(admin, city, "Tirana Police", "law-enforcement");
      Network.Member member =
          network.join(admin, "besa@tirana.example", "Besa", city, org, "T1", "member");
      Api.Response listed = api.get("/api/v1/invitations", member.accessToken());
      assertEquals(403, listed.status(), listed.toString());
      assertEquals("forbidden", listed.errorCode());
      Api.Response badLimit = api.get("/api/v1/invitations?limit=0", admin.accessToken());
      assertEquals(400, badLimit.status(), badLimit.toString());
    }
  }

  @Test
  void aRevokedInvitationCannotBeRedeemedAndTheRevocationIsAudited() {
    try (TestServer test = TestServer.start(dataDir)) {
      Api api = test.api();
      Network network = new Network(api);
      Network.Member admin = network.registerAdmin(test.bootstrapCode(), "admin@network.example");
      String city = network.createCity(admin, "Tirana", "AL");
      String org = network.createOrganisation(admin, city, "Tirana Police", "law-enforcement");
      String code = network.invite(admin, "besa@tirana.example", city, org, "T1", "member");
      String id = items(api.get("/api/v1/invitations", admin.accessToken())).get(0).getString("id");

      Api.Response revoked =
          api.post("/api/v1/invitations/" + id + "/revoke", admin.accessToken(), new JsonObject());
      assertEquals(200, revoked.status(), revoked.toString());
      assertEquals("revoked", revoked.json().getString("status"));
      assertTrue(items(api.get("/api/v1/invitations", admin.accessToken())).isEmpty());

      Api.Response preview =
          api.post("/api/v1/invitations/preview", null, new JsonObject().put("code", code));
      assertEquals(404, preview.status());
      assertEquals("invitation-not-found", preview.errorCode());
      Api.Response register =
          api.post(
              "/api/v1/auth/register",
              null,
              new JsonObject()
                  .put("inviteCode", code)
                  .put("email", "besa@tirana.example")
                  .put("displayName", "Besa")
                  .put("password", Network.PASSWORD));
      assertEquals(404, register.status(), register.toString());

      Api.Response again =
          api.post("/api/v1/invitations/" + id + "/revoke", admin.accessToken(), new JsonObject());
      assertEquals(409, again.status(), again.toString());
      assertEquals("invitation-not-pending", again.errorCode());

      JsonObject entry =
          api.get("/api/v1/audit", admin.accessToken()).json().getJsonArray("items").stream()
              .map(JsonObject.class::cast)
              .filter(e -> e.getString("action").equals("invitation.revoked"))
              .findFirst()
              .orElseThrow();
      assertEquals(id, entry.getString("targetId"));
      assertEquals(admin.id(), entry.getString("actorId"));
    }
  }

  @Test
  void coordinatorsCannotRevokeAnotherCitysInvitationAndUnknownIdsAreRefused() {
    try (TestServer test = TestServer.start(dataDir)) {
      Api api = test.api();
      Network network = new Network(api);
      Network.Member admin = network.registerAdmin(test.bootstrapCode(), "admin@network.example");
      String tirana = network.createCity(admin, "Tirana", "AL");
      String tiranaOrg =
          network.createOrganisation(admin, tirana, "Tirana Police", "law-enforcement");
      String skopje = network.createCity(admin, "Skopje", "MK");
      String skopjeOrg = network.createOrganisation(admin, skopje, "Skopje NGO", "civil-society");
      Network.Member coordinator =
          network.join(
              admin, "ana@tirana.example", "Ana", tirana, tiranaOrg, "T2", "city-coordinator");
      network.invite(admin, "goce@skopje.example", skopje, skopjeOrg, "T0", "member");
      String skopjeInvitation =
          items(api.get("/api/v1/invitations", admin.accessToken())).get(0).getString("id");

      Api.Response foreign =
          api.post(
              "/api/v1/invitations/" + skopjeInvitation + "/revoke",
              coordinator.accessToken(),
              new JsonObject());
      assertEquals(404, foreign.status(), foreign.toString());
      assertEquals("invitation-unknown", foreign.errorCode());
      assertEquals(1, items(api.get("/api/v1/invitations", admin.accessToken())).size());

      Api.Response unknown =
          api.post(
              "/api/v1/invitations/" + "0".repeat(32) + "/revoke",
              admin.accessToken(),
              new JsonObject());
      assertEquals(404, unknown.status());
      assertEquals("invitation-unknown", unknown.errorCode());
      Api.Response malformed =
          api.post("/api/v1/invitations/not-an-id/revoke", admin.accessToken(), new JsonObject());
      assertEquals(404, malformed.status());
      assertEquals("invitation-unknown", malformed.errorCode());
    }
  }
}
