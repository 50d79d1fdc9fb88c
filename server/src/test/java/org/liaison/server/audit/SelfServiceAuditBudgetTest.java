package org.liaison.server.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.liaison.server.testing.ChannelFixture.b64;
import static org.liaison.server.testing.ChannelFixture.expect;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.crypto.Ed25519;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.ChannelFixture;
import org.liaison.server.testing.ChannelFixture.Person;

/**
 * A member cannot fill the audit log: the audited changes people make to their own account and
 * devices draw from one budget per user, refused with 429 before anything changes, and repeating an
 * attestation that is already attached is no change and writes nothing.
 */
class SelfServiceAuditBudgetTest {
  @TempDir Path dataDir;

  @Test
  void ownAccountChangesShareOneBudgetPerUser() {
    try (ChannelFixture net =
        new ChannelFixture(
            dataDir,
            Map.of(
                "LIAISON_AUDIT_SELF_SERVICE_BURST", "3",
                "LIAISON_AUDIT_SELF_SERVICE_PER_HOUR", "1"))) {
      Person member = net.person("Member", "youth-work", 1, 0); // registering its device: 1 of 3
      Person other = net.person("Other", "youth-work", 1, 0);
      long before = auditedActsOf(net, member.id());
      Api api = net.api();
      expect(200, language(api, member.token(), "fr"));
      expect(200, language(api, member.token(), "en"));

      Api.Response refused = language(api, member.token(), "fr");
      assertEquals(429, refused.status(), refused.toString());
      assertEquals("rate-limited", refused.errorCode());
      long retryAfter =
          refused
              .json()
              .getJsonObject("error")
              .getJsonObject("details")
              .getLong("retryAfterSeconds");
      assertTrue(retryAfter > 0 && retryAfter <= 3600, refused.toString());
      assertNotNull(refused.header("Retry-After"));
      assertEquals(
          "en",
          expect(200, api.get("/api/v1/me", member.token())).json().getString("preferredLanguage"),
          "a refused change changes nothing");
      // The same budget covers the key backup and device registration.
      assertEquals(
          429,
          api.put("/api/v1/key-backup", member.token(), new JsonObject().put("version", 1))
              .status());
      Api.Response device =
          api.post(
              "/api/v1/devices",
              net.network().login(member.member.email(), member.id()).accessToken(),
              new JsonObject()
                  .put("name", "phone")
                  .put("signatureKey", b64(Ed25519.KeyPair.generate().publicKey())));
      assertEquals(429, device.status(), device.toString());
      // Another member's budget is their own.
      expect(200, language(api, other.token(), "fr"));

      assertEquals(before + 2, auditedActsOf(net, member.id()), "fr, en; nothing more");
    }
  }

  @Test
  void attachingTheSameAttestationAgainWritesNoEntry() {
    try (ChannelFixture net = new ChannelFixture(dataDir)) {
      Person member = net.person("Member", "youth-work", 1, 0);
      String chain =
          b64(
              net.attest(member.id(), member.identity.signaturePublicKey(), 1, "youth-work")
                  .encode());
      long before = auditedActsOf(net, member.id());
      expect(200, attach(net, member, chain));
      long afterFirst = auditedActsOf(net, member.id());
      // At most one entry: none if this chain is byte for byte the one it registered with.
      assertTrue(afterFirst <= before + 1, before + " then " + afterFirst);
      for (int i = 0; i < 5; i++) {
        expect(200, attach(net, member, chain));
      }
      assertEquals(afterFirst, auditedActsOf(net, member.id()), "the same chain again: no entry");
    }
  }

  private static Api.Response attach(ChannelFixture net, Person member, String chain) {
    return net.api()
        .put(
            "/api/v1/devices/" + member.deviceId + "/attestation",
            member.token(),
            new JsonObject().put("attestation", chain));
  }

  private static Api.Response language(Api api, String token, String language) {
    return api.send(
        "PATCH",
        "/api/v1/me",
        token,
        new JsonObject().put("preferredLanguage", language).encode(),
        Map.of());
  }

  private static long auditedActsOf(ChannelFixture net, String userId) {
    return expect(200, net.api().get("/api/v1/audit?limit=500", net.admin.accessToken()))
        .json()
        .getJsonArray("items")
        .stream()
        .map(JsonObject.class::cast)
        .filter(e -> userId.equals(e.getString("actorId")))
        .count();
  }
}
