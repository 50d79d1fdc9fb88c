package org.liaison.server.accounts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.server.invitations.Invitations;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.Network;
import org.liaison.server.testing.TestServer;

/** The foundation's acceptance path, end to end over HTTP, including a restart. */
class OnboardingFlowTest {
  @TempDir Path dataDir;

  @Test
  void adminInvitesCoordinatorWhoInvitesMemberAndAllSurviveARestart() throws Exception {
    try (TestServer test = TestServer.start(dataDir)) {
      Path bootstrapFile = dataDir.resolve("bootstrap-invite.txt");
      assertTrue(test.server().bootstrap() instanceof Invitations.BootstrapState.Made);
      assertEquals(
          "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(bootstrapFile)));
      Api api = test.api();
      Network network = new Network(api);

      Network.Member admin = network.registerAdmin(test.bootstrapCode(), "admin@network.example");
      assertFalse(Files.exists(bootstrapFile), "the bootstrap file is gone once used");
      JsonObject me = api.get("/api/v1/me", admin.accessToken()).json();
      assertEquals("network-admin", me.getString("role"));
      assertEquals("T3", me.getString("tier"));

      String skopje = network.createCity(admin, "Skopje", "MK");
      String municipality =
          network.createOrganisation(admin, skopje, "City of Skopje", "municipality");
      String coordinatorCode =
          network.invite(
              admin, "coordinator@skopje.example", skopje, municipality, "T2", "city-coordinator");
      Network.Member coordinator =
          network.register(coordinatorCode, "coordinator@skopje.example", "Elena");

      String youthCentre =
          network.createOrganisation(coordinator, skopje, "Youth Centre Karpos", "youth-work");
      String memberCode =
          network.invite(coordinator, "amina@youth.example", skopje, youthCentre, "T1", "member");
      Api.Response preview =
          api.post("/api/v1/invitations/preview", null, new JsonObject().put("code", memberCode));
      assertEquals(200, preview.status());
      assertEquals("Youth Centre Karpos", preview.json().getString("organisationName"));
      assertEquals("Skopje", preview.json().getString("cityName"));
      Network.Member member = network.register(memberCode, "amina@youth.example", "Amina");

      JsonObject memberProfile = api.get("/api/v1/me", member.accessToken()).json();
      assertEquals("youth-work", memberProfile.getString("sector"));
      assertEquals("T1", memberProfile.getString("tier"));
      assertEquals(skopje, memberProfile.getString("cityId"));
      assertEquals(youthCentre, memberProfile.getString("organisationId"));

      test.restart();
      Api after = test.api();
      Network again = new Network(after);
      assertTrue(test.server().bootstrap() instanceof Invitations.BootstrapState.NotNeeded);
      for (Network.Member m : new Network.Member[] {admin, coordinator, member}) {
        Network.Member relogged = again.login(m.email(), m.id());
        assertEquals(200, after.get("/api/v1/me", relogged.accessToken()).status());
      }
      assertEquals(200, after.get("/api/v1/me", admin.accessToken()).status(), "tokens survive");
      assertEquals(
          2,
          after
              .get("/api/v1/organisations?cityId=" + skopje, admin.accessToken())
              .json()
              .getJsonArray("items")
              .size());
      JsonObject verified = after.get("/api/v1/audit/verify", admin.accessToken()).json();
      assertTrue(verified.getBoolean("valid"), verified.encode());
      assertTrue(verified.getLong("entries") >= 7, "registrations, city, orgs, invitations");
    }
  }

  @Test
  void bootstrapInvitationWorksOnceAndIsNotRecreated() {
    try (TestServer test = TestServer.start(dataDir)) {
      String code = test.bootstrapCode();
      Network network = new Network(test.api());
      network.registerAdmin(code, "admin@network.example");
      Api.Response again =
          test.api()
              .post(
                  "/api/v1/auth/register",
                  null,
                  new JsonObject()
                      .put("inviteCode", code)
                      .put("email", "intruder@example.org")
                      .put("displayName", "Intruder")
                      .put("password", Network.PASSWORD));
      // A used code answers exactly as an unknown one: codes cannot be probed.
      assertEquals(404, again.status());
      assertEquals("invitation-not-found", again.errorCode());
      test.restart();
      assertFalse(Files.exists(dataDir.resolve("bootstrap-invite.txt")));
    }
  }

  @Test
  void unusedBootstrapInvitationIsKeptAcrossRestartsNotReplaced() {
    try (TestServer test = TestServer.start(dataDir)) {
      String code = test.bootstrapCode();
      test.restart();
      assertTrue(test.server().bootstrap() instanceof Invitations.BootstrapState.Waiting);
      assertEquals(code, test.bootstrapCode());
      new Network(test.api()).registerAdmin(code, "admin@network.example");
    }
  }
}
