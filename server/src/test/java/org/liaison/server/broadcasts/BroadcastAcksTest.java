package org.liaison.server.broadcasts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.crypto.broadcasts.BroadcastReminder;
import org.liaison.server.broadcasts.BroadcastWorld.Person;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.RealtimeClient;

/**
 * Acknowledgements count once per user however often and from however many devices they come;
 * forged ones are refused; the status is exact per city; reminders reach only those who have not
 * acknowledged; a member who joins after the send gets nothing until a resend to the new ones.
 */
class BroadcastAcksTest {
  @TempDir Path dataDir;
  private BroadcastWorld world;

  @AfterEach
  void stop() {
    world.close();
  }

  @Test
  void eachUserCountsOnceAndTheStatusIsExactPerCity() throws Exception {
    world = new BroadcastWorld(dataDir);
    String skopje = world.cities.get(0);
    String sarajevo = world.cities.get(1);
    Person ana = world.person(skopje, "youth-work", 1, true);
    Person anaPhone = world.anotherDevice(ana, 1, "youth-work", true);
    Person boris = world.person(sarajevo, "youth-work", 1, true);
    Person borisTablet = world.anotherDevice(boris, 1, "youth-work", true);
    Person vesna = world.person(sarajevo, "law-enforcement", 2, true);

    BroadcastWorld.Draft draft = world.draft(world.admin, List.of(skopje, sarajevo), List.of(), 0);
    assertEquals(201, world.send(world.admin, draft).status());

    try (RealtimeClient author =
            RealtimeClient.connect(world.server.server().port(), world.admin.token);
        RealtimeClient anaSocket =
            RealtimeClient.connect(world.server.server().port(), ana.token)) {
      author.next("ready");
      anaSocket.next("ready");
      // Ana: twice over HTTP, once over realtime.
      Api.Response first = world.acknowledge(ana, draft);
      assertEquals(201, first.status(), first.toString());
      assertFalse(first.json().getBoolean("duplicate"));
      assertEquals(200, world.acknowledge(ana, draft).status());
      assertTrue(world.acknowledge(ana, draft).json().getBoolean("duplicate"));
      anaSocket.send(
          BroadcastWorld.ack(ana, draft).put("type", "broadcast-ack").put("id", draft.id));
      JsonObject answer = anaSocket.next("broadcast-acked");
      assertEquals(draft.id, answer.getString("id"));
      JsonObject progress = author.next("broadcast-progress");
      assertEquals(draft.id, progress.getString("id"));
      assertEquals(5, progress.getInteger("recipients"), "three members, two coordinators");

      // Boris: two devices at once.
      CompletableFuture<Api.Response> one =
          CompletableFuture.supplyAsync(() -> world.acknowledge(boris, draft));
      CompletableFuture<Api.Response> two =
          CompletableFuture.supplyAsync(() -> world.acknowledge(borisTablet, draft));
      int created = 0;
      for (Api.Response r : List.of(one.get(), two.get())) {
        assertTrue(r.status() == 201 || r.status() == 200, r.toString());
        created += r.status() == 201 ? 1 : 0;
      }
      assertEquals(1, created, "one of the two devices counted");

      // A forged acknowledgement: signed by another device's key.
      JsonObject forged = BroadcastWorld.ack(anaPhone, draft);
      Api.Response refused =
          world.api().post("/api/v1/broadcasts/" + draft.id + "/acks", vesna.token, forged);
      assertEquals(403, refused.status(), refused.toString());
      assertEquals("bad-signature", refused.errorCode());
    }

    JsonObject status = world.status(world.admin, draft.id);
    assertEquals(5, status.getInteger("recipients"), status.encode());
    assertEquals(2, status.getInteger("acknowledged"), status.encode());
    int users = 0;
    int acknowledged = 0;
    for (Object c : status.getJsonArray("perCity")) {
      users += ((JsonObject) c).getInteger("users");
      acknowledged += ((JsonObject) c).getInteger("acknowledged");
    }
    assertEquals(5, users);
    assertEquals(2, acknowledged, "the per-city sum equals the total");
    long itemsAcked =
        status.getJsonArray("items").stream()
            .filter(i -> ((JsonObject) i).containsKey("ackedAt"))
            .count();
    assertEquals(2, itemsAcked);

    // Still exact after a restart.
    world.server.restart();
    assertEquals(2, world.status(world.admin, draft.id).getInteger("acknowledged"));

    // A reminder reaches those who have not acknowledged, and only them; a second at once is 429.
    try (RealtimeClient vesnaSocket =
            RealtimeClient.connect(world.server.server().port(), vesna.token);
        RealtimeClient anaSocket =
            RealtimeClient.connect(world.server.server().port(), ana.token)) {
      vesnaSocket.next("ready");
      anaSocket.next("ready");
      long at = System.currentTimeMillis();
      byte[] signature =
          new BroadcastReminder(draft.header.broadcastId(), 1, at).sign(world.admin.deviceKey);
      Api.Response reminded =
          world
              .api()
              .post(
                  "/api/v1/broadcasts/" + draft.id + "/reminders",
                  world.admin.token,
                  new JsonObject()
                      .put("n", 1)
                      .put("at", at)
                      .put("signature", BroadcastWorld.b64(signature)));
      assertEquals(201, reminded.status(), reminded.toString());
      assertEquals(3, reminded.json().getInteger("reminded"));
      assertEquals(1, vesnaSocket.next("broadcast-reminder").getInteger("n"));
      byte[] second =
          new BroadcastReminder(draft.header.broadcastId(), 2, at).sign(world.admin.deviceKey);
      Api.Response tooSoon =
          world
              .api()
              .post(
                  "/api/v1/broadcasts/" + draft.id + "/reminders",
                  world.admin.token,
                  new JsonObject()
                      .put("n", 2)
                      .put("at", at)
                      .put("signature", BroadcastWorld.b64(second)));
      assertEquals(429, tooSoon.status(), tooSoon.toString());
      assertTrue(
          anaSocket.frames.stream()
              .noneMatch(f -> "broadcast-reminder".equals(f.getString("type"))),
          "no reminder to who acknowledged");
    }
    JsonObject sent = world.api().get("/api/v1/broadcasts/sent", world.admin.token).json();
    assertEquals(1, sent.getJsonArray("items").size());
    assertEquals(2, sent.getJsonArray("items").getJsonObject(0).getInteger("acknowledged"));
  }

  @Test
  void aMemberWhoJoinsAfterTheSendGetsNothingUntilAResendToTheNewOnes() {
    world = new BroadcastWorld(dataDir);
    String skopje = world.cities.get(0);
    Person early = world.person(skopje, "youth-work", 1, true);
    BroadcastWorld.Draft draft = world.draft(world.admin, List.of(skopje), List.of(), 0);
    assertEquals(201, world.send(world.admin, draft).status());
    Person earlyNewDevice = world.anotherDevice(early, 1, "youth-work", true);

    Person late = world.person(skopje, "youth-work", 1, true);
    try (RealtimeClient lateSocket =
        RealtimeClient.connect(world.server.server().port(), late.token)) {
      assertEquals(1L, lateSocket.next("ready").getLong("broadcastHead"));
      assertEquals(0, world.inbox(late, 0).size());
      assertEquals(404, world.api().get("/api/v1/broadcasts/" + draft.id, late.token).status());
      assertEquals(0, world.inbox(earlyNewDevice, 0).size(), "a new device has no wrap either");

      BroadcastWorld.Draft resend =
          world.draft(
              world.admin,
              List.of(skopje),
              List.of(),
              0,
              Optional.of(draft.id),
              Optional.of("new"));
      Api.Response sent = world.send(world.admin, resend);
      assertEquals(201, sent.status(), sent.toString());
      // Skopje's coordinator was a recipient of the original: only the late member is new.
      assertEquals(1, sent.json().getInteger("recipients"), sent.toString());
      assertEquals(resend.id, lateSocket.next("broadcast").getString("id"));
    }
    assertEquals(1, world.inbox(late, 0).size());
    assertEquals(0, world.inbox(early, 1).size(), "the resend did not reach the early member");

    // Resend to those who have not acknowledged: the early member's ack removes them.
    assertEquals(201, world.acknowledge(early, draft).status());
    BroadcastWorld.Draft again =
        world.draft(
            world.admin,
            List.of(skopje),
            List.of(),
            0,
            Optional.of(draft.id),
            Optional.of("unacknowledged"));
    JsonObject counted =
        world
            .api()
            .post(
                "/api/v1/broadcasts/audience",
                world.admin.token,
                new JsonObject()
                    .put("audience", BroadcastWorld.audience(List.of(skopje), List.of(), "T0"))
                    .put("resendOf", draft.id)
                    .put("only", "unacknowledged"))
            .json();
    int expected = counted.getInteger("users");
    Api.Response sentAgain = world.send(world.admin, again);
    assertEquals(201, sentAgain.status(), sentAgain.toString());
    assertEquals(expected, sentAgain.json().getInteger("recipients"));
    assertEquals(0, world.inbox(early, 2).size(), "who acknowledged gets no resend");
  }
}
