package org.liaison.server.documents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.liaison.server.documents.DocumentCalls.sealed;
import static org.liaison.server.testing.ChannelFixture.b64;
import static org.liaison.server.testing.ChannelFixture.expect;
import static org.liaison.server.testing.ChannelFixture.policy;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.server.testing.ChannelFixture;
import org.liaison.server.testing.ChannelFixture.Person;
import org.liaison.server.testing.RealtimeClient;

/**
 * Document frames over real WebSockets: every change reaches the other member's socket and none
 * reaches a non-member's; presence is relayed to the others and stored nowhere.
 */
class DocumentFramesTest {
  @TempDir Path dataDir;
  ChannelFixture net;
  Person officer;
  Person youthWorker;
  Person outsider;
  String channel;
  DocumentCalls docs;

  @BeforeEach
  void network() {
    net = new ChannelFixture(dataDir);
    officer = net.person("Officer", "law-enforcement", 2, 5);
    youthWorker = net.person("Youth Worker", "youth-work", 2, 5);
    outsider = net.person("Outsider", "youth-work", 2, 1);
    channel = officer.createChannel(policy(2, 90), "case");
    officer.add(channel, youthWorker);
    outsider.createChannel(policy(2, 90), "case"); // a socket with a channel of its own
    docs = new DocumentCalls(net, channel);
  }

  @AfterEach
  void close() {
    net.close();
  }

  private RealtimeClient connect(Person person) {
    RealtimeClient socket = RealtimeClient.connect(net.server.server().port(), person.token());
    socket.next("ready");
    return socket;
  }

  /** Everything the server sent before a pong it sent after: no document frame among them. */
  private static void assertNoDocumentFrames(RealtimeClient socket) {
    socket.send(new JsonObject().put("type", "ping"));
    List<JsonObject> seen = new java.util.ArrayList<>();
    while (true) {
      JsonObject frame;
      try {
        frame = socket.frames.poll(20, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
      if (frame == null || "pong".equals(frame.getString("type"))) {
        break;
      }
      seen.add(frame);
    }
    assertTrue(
        seen.stream().noneMatch(f -> f.getString("type", "").startsWith("document-")),
        seen.toString());
  }

  @Test
  void everyChangeReachesTheOtherMemberAndNoneReachesAnOutsider() {
    try (RealtimeClient member = connect(youthWorker);
        RealtimeClient stranger = connect(outsider)) {
      String id = docs.created(officer);
      JsonObject created = member.next("document-created");
      assertEquals(channel, created.getString("channelId"));
      assertEquals(id, created.getJsonObject("document").getString("id"));

      expect(201, docs.append(officer, id, 1));
      JsonObject updated = member.next("document-updated");
      assertEquals(id, updated.getString("documentId"));
      assertEquals(1, updated.getLong("seq"));
      assertEquals(officer.deviceId, updated.getJsonObject("update").getString("authorDeviceId"));

      // Above 64 KiB the frame names the seq only; the update is read over HTTP.
      expect(201, docs.append(officer, id, 2, sealed(300)));
      JsonObject large = member.next("document-updated");
      assertEquals(2, large.getLong("seq"));
      assertFalse(large.containsKey("update"));

      expect(201, docs.snapshot(officer, id, 2, sealed(1)));
      assertEquals(2, member.next("document-snapshot").getLong("coversSeq"));
      JsonObject version = expect(201, docs.addVersion(officer, id)).json();
      assertEquals(version, member.next("document-version").getJsonObject("version"));
      expect(201, docs.putKeyring(officer, 1, sealed(1)));
      assertEquals(1, member.next("document-keyring").getLong("epoch"));
      expect(
          200,
          net.api()
              .put(
                  docs.base() + "/" + id + "/header",
                  officer.token(),
                  new JsonObject().put("generation", 1).put("header", b64(sealed(1)))));
      assertEquals(id, member.next("document-header").getJsonObject("document").getString("id"));

      assertNoDocumentFrames(stranger);
    }
  }

  @Test
  void presenceIsRelayedToTheOthersOnlyAndNeverStored() {
    String id = docs.created(officer);
    String position = b64(sealed(1));
    try (RealtimeClient sender = connect(youthWorker);
        RealtimeClient member = connect(officer);
        RealtimeClient stranger = connect(outsider)) {
      sender.send(
          new JsonObject()
              .put("type", "document-presence")
              .put("channelId", channel)
              .put("documentId", id)
              .put("generation", 1)
              .put("ciphertext", position));
      JsonObject relayed = member.next("document-presence");
      assertEquals(channel, relayed.getString("channelId"));
      assertEquals(id, relayed.getString("documentId"));
      assertEquals(youthWorker.id(), relayed.getString("userId"));
      assertEquals(youthWorker.deviceId, relayed.getString("deviceId"));
      assertEquals(1, relayed.getLong("generation"));
      assertEquals(position, relayed.getString("ciphertext"));
      assertNoDocumentFrames(sender);
      assertNoDocumentFrames(stranger);

      stranger.send(
          new JsonObject()
              .put("type", "document-presence")
              .put("channelId", channel)
              .put("documentId", id)
              .put("generation", 1)
              .put("ciphertext", position));
      assertEquals("channel-not-found", stranger.next("error").getString("code"));
      sender.send(
          new JsonObject()
              .put("type", "document-presence")
              .put("channelId", channel)
              .put("documentId", id)
              .put("generation", 1)
              .put("ciphertext", b64(sealed(20))));
      assertEquals("presence-too-large", sender.next("error").getString("code"));
      sender.send(
          new JsonObject()
              .put("type", "document-presence")
              .put("channelId", channel)
              .put("documentId", id)
              .put("generation", 1)
              .put("ciphertext", "@@"));
      JsonObject bad = sender.next("error");
      assertEquals("validation-failed", bad.getString("code"));
      assertEquals("ciphertext", bad.getJsonObject("details").getString("field"));
      sender.send(
          new JsonObject()
              .put("type", "document-presence")
              .put("channelId", channel)
              .put("documentId", "0".repeat(32))
              .put("generation", 1)
              .put("ciphertext", position));
      assertEquals("document-not-found", sender.next("error").getString("code"));
    }
    for (String collection :
        List.of(
            "documents",
            "channel_documents",
            "document_updates",
            "document_snapshots",
            "document_versions",
            "document_keyrings")) {
      assertFalse(net.server.dump(collection).contains("presence"), collection);
    }
  }
}
