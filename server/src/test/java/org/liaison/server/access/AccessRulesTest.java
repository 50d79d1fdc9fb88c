package org.liaison.server.access;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.Network;
import org.liaison.server.testing.TestServer;

/**
 * Who may administer whom, through the API: network admins everything; a city coordinator only its
 * own city and never above its own tier or role; members nothing; nobody themselves.
 */
class AccessRulesTest {
  @TempDir static Path dataDir;
  static TestServer test;
  static Api api;
  static Network network;
  static Network.Member admin;
  static Network.Member skopjeCoordinator;
  static Network.Member member;
  static String skopje;
  static String tirana;
  static String skopjeYouth;
  static String tiranaPolice;

  @BeforeAll
  static void buildNetwork() {
    test = TestServer.start(dataDir);
    api = test.api();
    network = new Network(api);
    admin = network.registerAdmin(test.bootstrapCode(), "admin@network.example");
    skopje = network.createCity(admin, "Skopje", "MK");
    tirana = network.createCity(admin, "Tirana", "AL");
    String skopjeCity = network.createOrganisation(admin, skopje, "City of Skopje", "municipality");
    skopjeYouth = network.createOrganisation(admin, skopje, "Youth Centre", "youth-work");
    tiranaPolice = network.createOrganisation(admin, tirana, "Tirana Police", "law-enforcement");
    skopjeCoordinator =
        network.join(
            admin, "elena@skopje.example", "Elena", skopje, skopjeCity, "T2", "city-coordinator");
    member =
        network.join(
            skopjeCoordinator, "amina@youth.example", "Amina", skopje, skopjeYouth, "T1", "member");
  }

  @AfterAll
  static void stop() {
    test.close();
  }

  private static void assertForbidden(Api.Response response) {
    assertEquals(403, response.status(), response.toString());
    assertEquals("forbidden", response.errorCode());
  }

  @Test
  void coordinatorCannotInviteIntoAnotherCity() {
    assertForbidden(
        network.tryInvite(
            skopjeCoordinator, "x@tirana.example", tirana, tiranaPolice, "T1", "member"));
  }

  @Test
  void coordinatorCannotGrantATierAboveItsOwn() {
    Api.Response response =
        network.tryInvite(
            skopjeCoordinator, "x@youth.example", skopje, skopjeYouth, "T3", "member");
    assertForbidden(response);
    assertEquals(
        "You hold T2 and cannot grant T3, which is above it",
        response.json().getJsonObject("error").getString("message"));
  }

  @Test
  void coordinatorCannotGrantNetworkAdmin() {
    assertForbidden(
        network.tryInvite(
            skopjeCoordinator, "x@youth.example", skopje, skopjeYouth, "T1", "network-admin"));
  }

  @Test
  void coordinatorMayInviteAnotherCoordinatorAtItsOwnLevel() {
    assertEquals(
        201,
        network
            .tryInvite(
                skopjeCoordinator,
                "deputy@skopje.example",
                skopje,
                skopjeYouth,
                "T2",
                "city-coordinator")
            .status());
  }

  @Test
  void membersCannotInviteOrCreate() {
    assertForbidden(
        network.tryInvite(member, "x@youth.example", skopje, skopjeYouth, "T0", "member"));
    assertForbidden(
        api.post(
            "/api/v1/organisations",
            member.accessToken(),
            new JsonObject().put("cityId", skopje).put("name", "Mine").put("sector", "health")));
    assertForbidden(
        api.post(
            "/api/v1/cities",
            member.accessToken(),
            new JsonObject().put("name", "Ohrid").put("country", "MK")));
    assertForbidden(api.get("/api/v1/audit", member.accessToken()));
  }

  @Test
  void onlyNetworkAdminsCreateCities() {
    assertForbidden(
        api.post(
            "/api/v1/cities",
            skopjeCoordinator.accessToken(),
            new JsonObject().put("name", "Ohrid").put("country", "MK")));
  }

  @Test
  void coordinatorCreatesOrganisationsOnlyInItsCity() {
    assertForbidden(
        api.post(
            "/api/v1/organisations",
            skopjeCoordinator.accessToken(),
            new JsonObject()
                .put("cityId", tirana)
                .put("name", "NGO")
                .put("sector", "civil-society")));
  }

  @Test
  void coordinatorChangesTiersInItsCityWithinItsOwnTier() {
    Api.Response raised =
        api.put(
            "/api/v1/users/" + member.id() + "/tier",
            skopjeCoordinator.accessToken(),
            new JsonObject().put("tier", "T2").put("reason", "vetting completed"));
    assertEquals(200, raised.status(), raised.toString());
    assertEquals("T2", raised.json().getString("tier"));
    assertForbidden(
        api.put(
            "/api/v1/users/" + member.id() + "/tier",
            skopjeCoordinator.accessToken(),
            new JsonObject().put("tier", "T3").put("reason", "too far")));
    api.put(
        "/api/v1/users/" + member.id() + "/tier",
        admin.accessToken(),
        new JsonObject().put("tier", "T1").put("reason", "restore for other tests"));
  }

  @Test
  void nobodyChangesTheirOwnAccount() {
    assertForbidden(
        api.put(
            "/api/v1/users/" + skopjeCoordinator.id() + "/tier",
            skopjeCoordinator.accessToken(),
            new JsonObject().put("tier", "T1").put("reason", "self")));
    assertForbidden(
        api.post(
            "/api/v1/users/" + admin.id() + "/suspend",
            admin.accessToken(),
            new JsonObject().put("reason", "self")));
  }

  @Test
  void coordinatorCannotManageTheNetworkAdmin() {
    assertForbidden(
        api.post(
            "/api/v1/users/" + admin.id() + "/suspend",
            skopjeCoordinator.accessToken(),
            new JsonObject().put("reason", "coup")));
  }

  @Test
  void directoryFiltersAndHidesAddressesFromMembers() {
    JsonArray youth =
        api.get("/api/v1/users?sector=youth-work&tier=T1", member.accessToken())
            .json()
            .getJsonArray("items");
    assertEquals(1, youth.size());
    JsonArray all =
        api.get("/api/v1/users?cityId=" + skopje, member.accessToken())
            .json()
            .getJsonArray("items");
    for (Object o : all) {
      JsonObject user = (JsonObject) o;
      assertEquals(
          user.getString("id").equals(member.id()),
          user.containsKey("email"),
          "members see only their own address");
    }
    JsonArray asCoordinator =
        api.get("/api/v1/users?cityId=" + skopje, skopjeCoordinator.accessToken())
            .json()
            .getJsonArray("items");
    asCoordinator.forEach(o -> assertEquals(true, ((JsonObject) o).containsKey("email")));
  }

  @Test
  void coordinatorReadsOnlyItsCitysAudit() {
    JsonArray entries =
        api.get("/api/v1/audit?limit=500", skopjeCoordinator.accessToken())
            .json()
            .getJsonArray("items");
    entries.forEach(o -> assertEquals(skopje, ((JsonObject) o).getString("cityId")));
    assertForbidden(api.get("/api/v1/audit/verify", skopjeCoordinator.accessToken()));
  }
}
