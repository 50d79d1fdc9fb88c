package org.liaison.server.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.liaison.server.testing.ChannelFixture.b64;
import static org.liaison.server.testing.ChannelFixture.expect;
import static org.liaison.server.testing.ChannelFixture.policy;

import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.crypto.mls.ChannelSession;
import org.liaison.server.testing.ChannelFixture;
import org.liaison.server.testing.ChannelFixture.Person;
import org.liaison.server.testing.RealtimeClient;
import org.liaison.server.testing.StalledSocket;

/** Bad input on the realtime socket: each gets its error, and nothing changes. */
class RealtimeFramesTest {
  @TempDir Path dataDir;
  ChannelFixture net;
  Person officer;
  Person youthWorker;
  String channel;

  @BeforeEach
  void network() {
    net =
        new ChannelFixture(
            dataDir,
            Map.of(
                "LIAISON_REALTIME_FRAMES_PER_SECOND", "5",
                "LIAISON_REALTIME_FRAME_BURST", "20",
                "LIAISON_REALTIME_SLOW_CONSUMER_SECONDS", "1"));
    officer = net.person("Officer", "law-enforcement", 2, 5);
    youthWorker = net.person("Youth Worker", "youth-work", 2, 5);
    channel = officer.createChannel(policy(2, 90), "case");
    officer.add(channel, youthWorker);
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

  private long logSize() {
    return officer.read(channel, 0, 500).getJsonArray("items").size();
  }

  private JsonObject sendFrame(Person person, String clientMessageId, String text) {
    ChannelSession session = person.sessions.get(channel);
    return new JsonObject()
        .put("type", "send")
        .put("channelId", channel)
        .put("epoch", session.epoch())
        .put("clientMessageId", clientMessageId)
        .put(
            "ciphertext", b64(session.protect(new byte[0], text.getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  void malformedUnknownAndIncompleteFramesGetErrorsAndTheSocketStaysUsable() {
    long before = logSize();
    try (RealtimeClient socket = connect(youthWorker)) {
      socket.sendText("{not json");
      assertEquals("malformed-frame", socket.next("error").getString("code"));
      socket.sendText("[1,2,3]");
      assertEquals("malformed-frame", socket.next("error").getString("code"));
      socket.send(new JsonObject().put("type", "teleport"));
      assertEquals("unknown-frame-type", socket.next("error").getString("code"));
      socket.send(new JsonObject().put("type", "send").put("epoch", 1));
      JsonObject missing = socket.next("error");
      assertEquals("validation-failed", missing.getString("code"));
      assertEquals("channelId", missing.getJsonObject("details").getString("field"));
      socket.send(
          new JsonObject()
              .put("type", "send")
              .put("channelId", channel)
              .put("epoch", 1)
              .put("clientMessageId", "x1")
              .put("ciphertext", b64("not an MLS message".getBytes(StandardCharsets.UTF_8))));
      JsonObject garbage = socket.next("error");
      assertEquals("malformed-mls", garbage.getString("code"));
      assertEquals("x1", garbage.getString("clientMessageId"));
      socket.send(new JsonObject().put("type", "ping"));
      socket.next("pong");
    }
    assertEquals(before, logSize());
  }

  @Test
  void anOversizedFrameClosesTheSocketWith1009() {
    try (RealtimeClient socket = connect(youthWorker)) {
      socket.sendText("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(300 * 1024) + "\"}");
      assertEquals(1009, socket.awaitClose());
    }
  }

  @Test
  void framesForAChannelOneIsNotInAreRefused() {
    Person outsider = net.person("Outsider", "youth-work", 2, 1);
    try (RealtimeClient socket = connect(outsider)) {
      socket.send(sendFrame(youthWorker, "intrude", "hello").put("clientMessageId", "intrude"));
      assertEquals("channel-not-found", socket.next("error").getString("code"));
      socket.send(new JsonObject().put("type", "sync").put("channelId", channel).put("after", 0));
      assertEquals("channel-not-found", socket.next("error").getString("code"));
      socket.send(new JsonObject().put("type", "ack").put("channelId", channel).put("seq", 9));
      assertEquals("channel-not-found", socket.next("error").getString("code"));
    }
  }

  @Test
  void aFrameNamingAnotherSenderIsRefusedAndNothingIsStored() {
    long before = logSize();
    try (RealtimeClient socket = connect(youthWorker)) {
      socket.send(
          sendFrame(youthWorker, "forged", "I am the officer")
              .put("senderDeviceId", officer.deviceId));
      JsonObject error = socket.next("error");
      assertEquals("sender-mismatch", error.getString("code"));
      assertEquals("forged", error.getString("clientMessageId"));
      socket.send(sendFrame(youthWorker, "forged2", "me too").put("senderUserId", officer.id()));
      assertEquals("sender-mismatch", socket.next("error").getString("code"));
      // Her own ids are fine: the server takes the sender from the connection anyway.
      socket.send(
          sendFrame(youthWorker, "honest", "hello")
              .put("senderDeviceId", youthWorker.deviceId)
              .put("senderUserId", youthWorker.id()));
      assertEquals("honest", socket.next("ack").getString("clientMessageId"));
    }
    assertEquals(before + 1, logSize());
  }

  @Test
  void aMessageForAnOldEpochIsRefusedWithTheCurrentEpoch() {
    JsonObject stale = sendFrame(youthWorker, "stale", "late");
    expect(201, officer.commit(channel, officer.sessions.get(channel).update()));
    try (RealtimeClient socket = connect(youthWorker)) {
      socket.send(stale);
      JsonObject error = socket.next("error");
      assertEquals("wrong-epoch", error.getString("code"));
      assertEquals(2, error.getJsonObject("details").getLong("currentEpoch"));
    }
  }

  @Test
  void expiredAndMissingTokensAreRefusedAtTheUpgrade() {
    String token = youthWorker.token();
    net.server.clock.advance(Duration.ofMinutes(16));
    IllegalStateException expired =
        assertThrows(
            IllegalStateException.class,
            () -> RealtimeClient.connect(net.server.server().port(), token));
    assertTrue(expired.getCause() instanceof UpgradeRejectedException, expired.toString());
    assertEquals(401, ((UpgradeRejectedException) expired.getCause()).getStatus());
  }

  @Test
  void aDeviceCannotOpenMoreThanItsShareOfSocketsAndTheStoreStaysHealthy() {
    int port = net.server.server().port();
    java.util.List<RealtimeClient> open = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        open.add(connect(youthWorker));
      }
      IllegalStateException refused =
          assertThrows(
              IllegalStateException.class, () -> RealtimeClient.connect(port, youthWorker.token()));
      assertTrue(refused.getCause() instanceof UpgradeRejectedException, refused.toString());
      assertEquals(429, ((UpgradeRejectedException) refused.getCause()).getStatus());
      try (RealtimeClient browser = RealtimeClient.connectAnonymously(port)) {
        browser.send(new JsonObject().put("type", "auth").put("token", youthWorker.token()));
        assertEquals("too-many-sockets", browser.next("error").getString("code"));
      }
      // Another member is not affected, and a closed socket frees its place.
      open.add(connect(officer));
      open.remove(0).close();
      long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      RealtimeClient again = null;
      while (again == null && System.nanoTime() < end) {
        try {
          again = connect(youthWorker);
        } catch (IllegalStateException stillCounted) {
          Thread.onSpinWait();
        }
      }
      assertTrue(again != null, "a place was freed by the closed socket");
      open.add(again);
      assertEquals(200, net.api().get("/health", null).status());
    } finally {
      open.forEach(RealtimeClient::close);
    }
  }

  @Test
  void browsersAuthenticateWithTheFirstFrame() {
    try (RealtimeClient socket = RealtimeClient.connectAnonymously(net.server.server().port())) {
      socket.send(new JsonObject().put("type", "auth").put("token", youthWorker.token()));
      assertEquals(youthWorker.deviceId, socket.next("ready").getString("deviceId"));
    }
    try (RealtimeClient socket = RealtimeClient.connectAnonymously(net.server.server().port())) {
      socket.send(new JsonObject().put("type", "ping"));
      assertEquals("missing-token", socket.next("error").getString("code"));
      socket.awaitClose();
    }
    try (RealtimeClient socket = RealtimeClient.connectAnonymously(net.server.server().port())) {
      socket.send(new JsonObject().put("type", "auth").put("token", "not.a.token"));
      assertEquals("invalid-token", socket.next("error").getString("code"));
      assertEquals(4401, socket.awaitClose());
    }
  }

  @Test
  void aDeviceThatSendsTooFastIsRateLimited() {
    try (RealtimeClient socket = connect(youthWorker)) {
      for (int i = 0; i < 40; i++) {
        socket.send(new JsonObject().put("type", "ping"));
      }
      JsonObject limited = socket.next("error");
      assertEquals("rate-limited", limited.getString("code"));
      assertEquals(429, limited.getInteger("status"));
    }
  }

  @Test
  void aRevokedDevicesSocketIsClosedAndItsTokenStopsWorking() {
    try (RealtimeClient socket = connect(youthWorker)) {
      expect(
          200,
          net.api()
              .post(
                  "/api/v1/devices/" + youthWorker.deviceId + "/revoke",
                  net.coordinator.accessToken(),
                  new JsonObject()));
      assertEquals(4401, socket.awaitClose());
    }
    assertEquals("session-ended", net.api().get("/api/v1/me", youthWorker.token()).errorCode());
  }

  @Test
  void loggingOutOrBeingSuspendedClosesTheSocket() {
    try (RealtimeClient socket = connect(youthWorker)) {
      expect(204, net.api().post("/api/v1/auth/logout", youthWorker.token(), new JsonObject()));
      assertEquals("session-ended", socket.next("error").getString("code"));
      assertEquals(4401, socket.awaitClose());
    }
    officer.signIn();
    try (RealtimeClient socket = connect(officer);
        RealtimeClient colleague = connect(youthWorker.signedInAgain())) {
      expect(
          200,
          net.api()
              .post(
                  "/api/v1/users/" + officer.id() + "/suspend",
                  net.coordinator.accessToken(),
                  new JsonObject().put("reason", "left the police service")));
      assertEquals("account-suspended", socket.next("error").getString("code"));
      assertEquals(4401, socket.awaitClose());
      // The channel's members are told to remove the suspended member.
      JsonObject update = colleague.next("channel-updated");
      assertEquals("member-suspended", update.getString("reason"));
      assertEquals(officer.id(), update.getString("userId"));
    }
  }

  @Test
  void aConsumerThatStopsReadingIsDisconnectedInsteadOfGrowingMemory() throws Exception {
    try (StalledSocket stalled =
        new StalledSocket(net.server.server().port(), youthWorker.token())) {
      for (int i = 0; i < 60; i++) {
        expect(201, officer.send(channel, "big-" + i, new byte[180 * 1024]));
      }
      Thread.sleep(3000);
      assertEquals(1013, stalled.readUntilClose());
    }
  }
}
