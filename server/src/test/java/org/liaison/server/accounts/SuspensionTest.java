package org.liaison.server.accounts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.Network;
import org.liaison.server.testing.TestServer;

class SuspensionTest {
  @TempDir Path dataDir;

  @Test
  void suspensionStopsTokensAtOnceAndIsAudited() {
    try (TestServer test = TestServer.start(dataDir)) {
      Api api = test.api();
      Network network = new Network(api);
      Network.Member admin = network.registerAdmin(test.bootstrapCode(), "admin@network.example");
      String city = network.createCity(admin, "Mombasa", "KE");
      String org = network.createOrganisation(admin, city, "Coast NGO", "civil-society");
      Network.Member member =
          network.join(admin, "juma@coast.example", "Juma", city, org, "T1", "member");
      assertEquals(200, api.get("/api/v1/me", member.accessToken()).status());

      Api.Response suspended =
          api.post(
              "/api/v1/users/" + member.id() + "/suspend",
              admin.accessToken(),
              new JsonObject().put("reason", "device reported stolen"));
      assertEquals(200, suspended.status(), suspended.toString());
      assertEquals("suspended", suspended.json().getString("status"));

      Api.Response me = api.get("/api/v1/me", member.accessToken());
      assertEquals(403, me.status());
      assertEquals("account-suspended", me.errorCode());
      Api.Response refresh =
          api.post(
              "/api/v1/auth/refresh",
              null,
              new JsonObject().put("refreshToken", member.refreshToken()));
      assertEquals(401, refresh.status());
      Api.Response login =
          api.post(
              "/api/v1/auth/login",
              null,
              new JsonObject().put("email", member.email()).put("password", Network.PASSWORD));
      assertEquals(403, login.status());
      assertEquals("account-suspended", login.errorCode());

      Api.Response reactivated =
          api.post(
              "/api/v1/users/" + member.id() + "/reactivate",
              admin.accessToken(),
              new JsonObject().put("reason", "device recovered"));
      assertEquals("active", reactivated.json().getString("status"));
      network.login(member.email(), member.id());

      JsonArray audit = api.get("/api/v1/audit", admin.accessToken()).json().getJsonArray("items");
      JsonObject suspendEntry =
          audit.stream()
              .map(JsonObject.class::cast)
              .filter(e -> e.getString("action").equals("user.suspended"))
              .findFirst()
              .orElseThrow();
      assertEquals(admin.id(), suspendEntry.getString("actorId"));
      assertEquals(member.id(), suspendEntry.getString("targetId"));
      assertEquals(
          "device reported stolen", suspendEntry.getJsonObject("details").getString("reason"));
      assertEquals(
          1,
          audit.stream()
              .map(JsonObject.class::cast)
              .filter(e -> e.getString("action").equals("user.reactivated"))
              .count());
    }
  }

  @Test
  void roleChangesAreAuditedAndNeedACityForCoordinators() {
    try (TestServer test = TestServer.start(dataDir)) {
      Api api = test.api();
      Network network = new Network(api);
      Network.Member admin = network.registerAdmin(test.bootstrapCode(), "admin@network.example");
      String city = network.createCity(admin, "Lahore", "PK");
      String org = network.createOrganisation(admin, city, "Lahore Municipality", "municipality");
      Network.Member member =
          network.join(admin, "sara@lahore.example", "Sara", city, org, "T2", "member");
      Api.Response promoted =
          api.put(
              "/api/v1/users/" + member.id() + "/role",
              admin.accessToken(),
              new JsonObject().put("role", "city-coordinator").put("reason", "new focal point"));
      assertEquals(200, promoted.status(), promoted.toString());
      assertEquals("city-coordinator", promoted.json().getString("role"));
      JsonObject verify = api.get("/api/v1/audit/verify", admin.accessToken()).json();
      assertEquals(true, verify.getBoolean("valid"));
    }
  }
}
