package org.liaison.server.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.liaison.server.testing.ChannelFixture.b64;
import static org.liaison.server.testing.ChannelFixture.expect;
import static org.liaison.server.testing.ChannelFixture.policy;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.crypto.mls.ChannelSession;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.ChannelFixture;
import org.liaison.server.testing.ChannelFixture.Person;
import org.liaison.server.testing.TestServer;

/**
 * Two nodes on one store, each with its own view of the channel: appends through both stay one
 * dense log without duplicates, and a node whose view is stale catches up before it checks.
 */
class TwoNodesTest {
  @TempDir Path dataDir;
  @TempDir Path secondDir;

  @Test
  void appendsThroughTwoNodesFormOneDenseLog() throws Exception {
    try (ChannelFixture net = new ChannelFixture(dataDir);
        TestServer second =
            TestServer.start(
                secondDir,
                Map.of(
                    "MONGODB_URI", net.server.server().store().embeddedUri().orElseThrow(),
                    "LIAISON_SIGNING_KEY_FILE",
                        dataDir.resolve("jwt-signing-key.pem").toString()))) {
      Person officer = net.person("Officer", "law-enforcement", 2, 3);
      Person youthWorker = net.person("Youth Worker", "youth-work", 2, 3);
      String channel = officer.createChannel(policy(2, 90), "case");
      officer.add(channel, youthWorker);
      Api nodeA = net.api();
      Api nodeB = second.api();
      // Node B learns the channel now; node A's appends below make its view stale.
      expect(200, nodeB.get("/api/v1/channels/" + channel, youthWorker.token()));

      List<JsonObject> fromOfficer = bodies(officer, channel, "a", 100);
      List<JsonObject> fromYouth = bodies(youthWorker, channel, "b", 100);
      CompletableFuture<Void> viaA =
          CompletableFuture.runAsync(() -> post(nodeA, officer, channel, fromOfficer));
      CompletableFuture<Void> viaB =
          CompletableFuture.runAsync(() -> post(nodeB, youthWorker, channel, fromYouth));
      viaA.get();
      viaB.get();

      List<Long> seqs = new ArrayList<>();
      long after = 0;
      while (true) {
        JsonObject page = youthWorker.read(channel, after, 100);
        if (page.getJsonArray("items").isEmpty()) {
          break;
        }
        for (Object item : page.getJsonArray("items")) {
          seqs.add(((JsonObject) item).getLong("seq"));
        }
        after = page.getLong("next");
      }
      assertEquals(200, seqs.size(), "every message once");
      for (int i = 0; i < seqs.size(); i++) {
        assertEquals(i + 2, seqs.get(i), "dense from the seq after the add commit");
      }
      // Retries through the other node are recognised too.
      Api.Response retried =
          nodeB.post(
              "/api/v1/channels/" + channel + "/messages", officer.token(), fromOfficer.get(7));
      assertEquals(200, retried.status(), retried.toString());

      // A commit through node B after node A's appends: B checks the epoch against the log.
      ChannelSession.PendingCommit update = officer.sessions.get(channel).update();
      Api.Response accepted =
          nodeB.post(
              "/api/v1/channels/" + channel + "/commits",
              officer.token(),
              new JsonObject()
                  .put("epoch", officer.sessions.get(channel).epoch())
                  .put("commit", b64(update.commit()))
                  .put("groupInfo", b64(update.next().groupInfo())));
      assertEquals(201, accepted.status(), accepted.toString());
      assertEquals(202, accepted.json().getLong("seq"));
      // Node A has not seen it; a message for the old epoch through A is refused after A reads on.
      Api.Response stale =
          nodeA.post(
              "/api/v1/channels/" + channel + "/messages",
              officer.token(),
              bodies(officer, channel, "late", 1).get(0));
      assertEquals(409, stale.status(), stale.toString());
      assertEquals("wrong-epoch", stale.errorCode());
    }
  }

  private static List<JsonObject> bodies(Person person, String channel, String prefix, int count) {
    ChannelSession session = person.sessions.get(channel);
    List<JsonObject> bodies = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      bodies.add(
          new JsonObject()
              .put("epoch", session.epoch())
              .put("clientMessageId", prefix + "-" + i)
              .put(
                  "ciphertext",
                  b64(
                      session.protect(
                          new byte[0], (prefix + i).getBytes(StandardCharsets.UTF_8)))));
    }
    return bodies;
  }

  private static void post(Api node, Person person, String channel, List<JsonObject> bodies) {
    for (JsonObject body : bodies) {
      expect(201, node.post("/api/v1/channels/" + channel + "/messages", person.token(), body));
    }
  }
}
