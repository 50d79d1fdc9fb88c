package org.liaison.server.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.liaison.server.testing.ChannelFixture.expect;
import static org.liaison.server.testing.ChannelFixture.policy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.server.testing.ChannelFixture;
import org.liaison.server.testing.ChannelFixture.Person;
import org.liaison.server.testing.RealtimeClient;
import org.liaison.server.testing.TestServer;

/** Messages past a channel's retention are deleted and show as a gap, not an error. */
class RetentionTest {
  @TempDir Path dataDir;

  @Test
  void expiredMessagesAreDeletedAndClientsSeeAGapAtTheFront() {
    try (ChannelFixture net = new ChannelFixture(dataDir)) {
      Person officer = net.person("Officer", "law-enforcement", 2, 3);
      Person youthWorker = net.person("Youth Worker", "youth-work", 2, 3);
      String channel = officer.createChannel(policy(2, 7), "case");
      String longLived = officer.createChannel(policy(2, 365), "team");
      officer.add(channel, youthWorker);
      for (int i = 0; i < 5; i++) {
        expect(201, officer.send(channel, "old-" + i, "old " + i));
        expect(201, officer.send(longLived, "kept-" + i, "kept " + i));
      }
      net.server.clock.advance(Duration.ofDays(8));
      officer.signIn();
      youthWorker.signIn();
      expect(201, officer.send(channel, "new", "new"));

      int deleted = TestServer.await(net.server.server().retention().runOnce());
      assertEquals(6, deleted, "the add commit and five messages; the other channel keeps all");

      JsonObject page = youthWorker.read(channel, 0, 100);
      assertEquals(7, page.getLong("firstSeq"));
      JsonArray items = page.getJsonArray("items");
      assertEquals(1, items.size());
      assertEquals(7, items.getJsonObject(0).getLong("seq"));
      assertEquals(5, officer.read(longLived, 0, 100).getJsonArray("items").size());
      // A device that had acknowledged nothing is pushed what is left, from the first kept seq.
      try (RealtimeClient socket =
          RealtimeClient.connect(net.server.server().port(), youthWorker.token())) {
        socket.next("ready");
        assertEquals(7, socket.next("message").getLong("seq"));
      }
      // The newest entry is never deleted: it is how a node finds the head after a restart.
      net.server.clock.advance(Duration.ofDays(20));
      TestServer.await(net.server.server().retention().runOnce());
      net.server.restart();
      officer.signIn();
      assertEquals(
          7, officer.read(channel, 0, 100).getJsonArray("items").getJsonObject(0).getLong("seq"));
      expect(201, officer.send(channel, "after-restart", "still counting"));
      assertEquals(
          8, officer.read(channel, 7, 100).getJsonArray("items").getJsonObject(0).getLong("seq"));
    }
  }
}
