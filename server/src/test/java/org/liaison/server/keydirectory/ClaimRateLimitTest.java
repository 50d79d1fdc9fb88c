package org.liaison.server.keydirectory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.liaison.server.testing.ChannelFixture.expect;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.server.api.Ids;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.ChannelFixture;
import org.liaison.server.testing.ChannelFixture.Person;

/**
 * Claims draw from a bucket per claiming user, one token per user named, so nobody drains the
 * others' one-time key packages and forces last-resort use.
 */
class ClaimRateLimitTest {
  @TempDir Path dataDir;

  @Test
  void aClaimerPastTheBurstIsToldWhenToComeBackAndOthersAreNotAffected() {
    try (ChannelFixture net =
        new ChannelFixture(
            dataDir,
            Map.of(
                "LIAISON_KEY_PACKAGES_CLAIMS_PER_MINUTE", "1",
                "LIAISON_KEY_PACKAGES_CLAIM_BURST", "50"))) {
      Person drainer = net.person("Drainer", "civil-society", 1, 0);
      Person colleague = net.person("Colleague", "youth-work", 1, 2);
      Person other = net.person("Other", "municipality", 1, 0);

      // Fifty users named at once take the whole burst (ids nobody holds: listed as missing).
      JsonArray fifty = new JsonArray();
      for (int i = 0; i < 50; i++) {
        fifty.add(Ids.newId());
      }
      JsonObject first = claim(net, drainer, fifty);
      assertEquals(50, first.getJsonArray("missing").size());

      Api.Response refused =
          net.api()
              .post(
                  "/api/v1/key-packages/claim",
                  drainer.token(),
                  new JsonObject().put("userIds", new JsonArray().add(colleague.id())));
      assertEquals(429, refused.status(), refused.toString());
      assertEquals("rate-limited", refused.errorCode());
      long retryAfter =
          refused
              .json()
              .getJsonObject("error")
              .getJsonObject("details")
              .getLong("retryAfterSeconds");
      assertTrue(retryAfter >= 1 && retryAfter <= 60, "retryAfterSeconds " + retryAfter);

      // Refused before anything was claimed: the colleague's packages are all still there.
      assertEquals(
          2,
          expect(200, net.api().get("/api/v1/key-packages/count", colleague.token()))
              .json()
              .getInteger("oneTime"));
      // The bucket is the claimer's own.
      assertEquals(
          1, claim(net, other, new JsonArray().add(colleague.id())).getJsonArray("items").size());
    }
  }

  private static JsonObject claim(ChannelFixture net, Person claimer, JsonArray userIds) {
    return expect(
            200,
            net.api()
                .post(
                    "/api/v1/key-packages/claim",
                    claimer.token(),
                    new JsonObject().put("userIds", userIds)))
        .json();
  }
}
