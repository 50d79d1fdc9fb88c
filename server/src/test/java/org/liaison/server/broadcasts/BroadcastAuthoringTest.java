package org.liaison.server.broadcasts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.server.broadcasts.BroadcastWorld.Person;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.Network;
import org.liaison.server.testing.RealtimeClient;

/**
 * Who may send, and what a refused or malformed send leaves behind (nothing); what outsiders see
 * (nothing); what the store holds (no title, no body).
 */
class BroadcastAuthoringTest {
  @TempDir Path dataDir;
  private BroadcastWorld world;
  private String skopje;
  private String sarajevo;

  @BeforeEach
  void start() {
    world = new BroadcastWorld(dataDir);
    skopje = world.cities.get(0);
    sarajevo = world.cities.get(1);
  }

  @AfterEach
  void stop() {
    world.close();
  }

  private static void assertRule(String rule, Api.Response response) {
    assertEquals(403, response.status(), response.toString());
    assertEquals("broadcast-not-allowed", response.errorCode());
    assertEquals(
        rule, response.json().getJsonObject("error").getJsonObject("details").getString("rule"));
  }

  private Api.Response audience(Person who, List<String> cities) {
    return world
        .api()
        .post(
            "/api/v1/broadcasts/audience",
            who.token,
            new JsonObject().put("audience", BroadcastWorld.audience(cities, List.of(), "T0")));
  }

  @Test
  void onlyCoordinatorsWithASignedKeyFromAConfirmedDeviceSendWithinTheirScope() {
    world.person(skopje, "youth-work", 1, true);
    Person member = world.person(skopje, "youth-work", 3, true);
    member.coordinator = world.coordinators.get(skopje).coordinator; // not theirs: refused first
    assertRule("author-role", audience(member, List.of(skopje)));
    Api.Response memberSend =
        world
            .api()
            .post(
                "/api/v1/broadcasts",
                member.token,
                world.draft(world.admin, List.of(skopje), List.of(), 0).body);
    assertEquals(422, memberSend.status(), "a header naming another author: " + memberSend);

    Person coordinator = world.coordinators.get(skopje);
    assertRule("author-city", audience(coordinator, List.of(sarajevo)));
    assertRule("author-city", audience(coordinator, List.of()));
    assertRule("author-city", audience(coordinator, List.of(skopje, sarajevo)));
    assertEquals(200, audience(coordinator, List.of(skopje)).status());

    // A coordinator whose key was never signed.
    Network.Member unsigned =
        world
            .network()
            .join(
                world.adminMember,
                "new.coordinator@skopje.example",
                "New coordinator",
                skopje,
                world.organisations.get(skopje).get("municipality"),
                "T2",
                "city-coordinator");
    Person unsignedDevice =
        world.device(unsigned, skopje, unsigned.accessToken(), 2, "municipality", true);
    assertRule("author-key", audience(unsignedDevice, List.of(skopje)));

    // A signed coordinator on a device awaiting confirmation.
    Network.Member again = world.network().login(coordinator.member.email(), coordinator.id());
    world.network().registerUnattestedDevice(again);
    Person pendingDevice =
        new Person(
            again,
            skopje,
            "0".repeat(32),
            coordinator.deviceKey,
            coordinator.chain,
            again.accessToken());
    assertRule("device-not-attested", audience(pendingDevice, List.of(skopje)));

    // A city coordinator's send to another city is refused with the rule; nothing is stored.
    BroadcastWorld.Draft toOwnCity = world.draft(coordinator, List.of(skopje), List.of(), 0);
    JsonObject header =
        world.draft(coordinator, List.of(skopje), List.of(), 0).body; // a second, valid draft
    assertTrue(header.containsKey("header"));
    Api.Response sent = world.send(coordinator, toOwnCity);
    assertEquals(201, sent.status(), sent.toString());
    assertEquals("[]", world.server.dump("broadcast_acks"));
  }

  @Test
  void aBadHeaderSignatureIsRefusedAndNothingStored() {
    world.person(skopje, "youth-work", 1, true);
    BroadcastWorld.Draft draft = world.draft(world.admin, List.of(skopje), List.of(), 0);
    byte[] forged = java.util.Base64.getUrlDecoder().decode(draft.body.getString("signature"));
    forged[0] ^= 1;
    Api.Response refused =
        world
            .api()
            .post(
                "/api/v1/broadcasts",
                world.admin.token,
                draft.body.copy().put("signature", BroadcastWorld.b64(forged)));
    assertEquals(403, refused.status(), refused.toString());
    assertEquals("bad-signature", refused.errorCode());
    assertEquals("[]", world.server.dump("broadcasts"));
    assertEquals("[]", world.server.dump("broadcast_seq"));
  }

  @Test
  void outsidersSeeNothingAndTheStoreHoldsNoPlaintext() {
    Person inside = world.person(skopje, "youth-work", 1, true);
    Person outside = world.person(sarajevo, "youth-work", 1, true);
    try (RealtimeClient insideSocket =
            RealtimeClient.connect(world.server.server().port(), inside.token);
        RealtimeClient outsideSocket =
            RealtimeClient.connect(world.server.server().port(), outside.token)) {
      assertEquals(0L, insideSocket.next("ready").getLong("broadcastHead"));
      outsideSocket.next("ready");
      BroadcastWorld.Draft draft = world.draft(world.admin, List.of(skopje), List.of(), 0);
      assertEquals(201, world.send(world.admin, draft).status());

      JsonObject frame = insideSocket.next("broadcast");
      assertEquals(draft.id, frame.getString("id"));
      assertEquals(1L, frame.getLong("n"));
      assertTrue(frame.getJsonObject("wrap").containsKey("enc"));
      assertEquals(draft.body.getString("content"), frame.getString("content"));

      assertEquals(1, world.inbox(inside, 0).size());
      assertEquals(0, world.inbox(outside, 0).size(), "nothing in ?after for an outsider");
      Api.Response hidden = world.api().get("/api/v1/broadcasts/" + draft.id, outside.token);
      assertEquals(404, hidden.status());
      assertEquals("broadcast-not-found", hidden.errorCode());
      Api.Response statusHidden =
          world.api().get("/api/v1/broadcasts/" + draft.id + "/status", inside.token);
      assertEquals(404, statusHidden.status(), "status is the author's");
      Api.Response ackHidden = world.acknowledge(outside, draft);
      assertEquals(404, ackHidden.status());

      // Wait for a frame the outsider would get after the broadcast, if it had one.
      world.acknowledge(inside, draft);
      assertTrue(
          outsideSocket.frames.stream().noneMatch(f -> f.getString("type").startsWith("broadcast")),
          "no broadcast frame reaches an outsider: " + outsideSocket.frames);
    }
    for (String collection :
        List.of("broadcasts", "broadcast_recipients", "broadcast_acks", "broadcast_seq")) {
      String stored = world.server.dump(collection);
      assertFalse(stored.contains("Heat warning"), collection + " holds the title");
      assertFalse(stored.contains("outdoor programme"), collection + " holds the body");
    }
  }

  @Test
  void malformedSendsAndUnknownIdsAreAnsweredClearly() {
    world.person(skopje, "youth-work", 1, true);
    Api.Response badJson =
        world
            .api()
            .send(
                "POST",
                "/api/v1/broadcasts",
                world.admin.token,
                "{not json",
                java.util.Map.of("Content-Type", "application/json"));
    assertEquals(400, badJson.status(), badJson.toString());
    assertEquals("malformed-json", badJson.errorCode());

    Api.Response noWraps =
        world
            .api()
            .post(
                "/api/v1/broadcasts",
                world.admin.token,
                world
                    .draft(world.admin, List.of(skopje), List.of(), 0)
                    .body
                    .copy()
                    .put("wraps", new io.vertx.core.json.JsonArray()));
    assertEquals(400, noWraps.status(), noWraps.toString());

    Api.Response badAudience =
        world
            .api()
            .post(
                "/api/v1/broadcasts/audience",
                world.admin.token,
                new JsonObject().put("audience", new JsonObject().put("minTier", "T9")));
    assertEquals(400, badAudience.status(), badAudience.toString());

    // Announcement channels are no longer made: broadcasts replace them.
    Api.Response announcementChannel =
        world
            .api()
            .post(
                "/api/v1/channels",
                world.admin.token,
                new JsonObject().put("groupId", "AAAA").put("kind", "announcement"));
    assertEquals(400, announcementChannel.status(), announcementChannel.toString());
    assertEquals(
        "kind",
        announcementChannel
            .json()
            .getJsonObject("error")
            .getJsonObject("details")
            .getString("field"));

    String unknown = "0123456789abcdef0123456789abcdef";
    assertEquals(404, world.api().get("/api/v1/broadcasts/" + unknown, world.admin.token).status());
    assertEquals(404, world.api().get("/api/v1/broadcasts/nothex", world.admin.token).status());

    BroadcastWorld.Draft draft = world.draft(world.admin, List.of(skopje), List.of(), 0);
    byte[] huge = new byte[300 * 1024];
    Api.Response tooLarge =
        world
            .api()
            .post(
                "/api/v1/broadcasts",
                world.admin.token,
                draft.body.copy().put("content", BroadcastWorld.b64(huge)));
    assertEquals(413, tooLarge.status(), tooLarge.toString().substring(0, 100));
    assertEquals("broadcast-too-large", tooLarge.errorCode());

    byte[] other = new byte[28 + 256];
    Api.Response wrongHash =
        world
            .api()
            .post(
                "/api/v1/broadcasts",
                world.admin.token,
                draft.body.copy().put("content", BroadcastWorld.b64(other)));
    assertEquals(422, wrongHash.status(), wrongHash.toString());
    assertEquals("broadcast-invalid", wrongHash.errorCode());
    assertEquals("[]", world.server.dump("broadcasts"));

    // Sent once, retried (200), and a different header under the same id (409).
    assertEquals(201, world.send(world.admin, draft).status());
    Api.Response retry = world.send(world.admin, draft);
    assertEquals(200, retry.status(), retry.toString());
    assertEquals(1L, retry.json().getLong("n"));
    BroadcastWorld.Draft another = world.draft(world.admin, List.of(skopje), List.of(), 0);
    JsonObject clash = another.body.copy().put("id", draft.id);
    Api.Response conflict = world.api().post("/api/v1/broadcasts", world.admin.token, clash);
    assertTrue(conflict.status() == 409 || conflict.status() == 422, conflict.toString());
  }
}
