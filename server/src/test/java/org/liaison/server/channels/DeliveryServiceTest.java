package org.liaison.server.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.liaison.server.testing.ChannelFixture.expect;
import static org.liaison.server.testing.ChannelFixture.policy;
import static org.liaison.server.testing.ChannelFixture.unb64;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.crypto.mls.ChannelSession;
import org.liaison.crypto.mls.MlsException;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.ChannelFixture;
import org.liaison.server.testing.ChannelFixture.Person;
import org.liaison.server.testing.RealtimeClient;

/** The delivery service end to end: real server, real MLS (bcmls), real WebSockets. */
class DeliveryServiceTest {
  @TempDir Path dataDir;
  ChannelFixture net;
  Person officer;
  Person youthWorker;
  Person volunteer;

  @BeforeEach
  void network() {
    net = new ChannelFixture(dataDir);
    officer = net.person("Officer Hadzic", "law-enforcement", 2, 5);
    youthWorker = net.person("Lejla Youth", "youth-work", 2, 5);
    volunteer = net.person("Amina Volunteer", "civil-society", 1, 5);
  }

  @AfterEach
  void close() {
    net.close();
  }

  private static String text(ChannelSession session, String ciphertext) {
    return new String(session.unprotect(unb64(ciphertext)).plaintext(), StandardCharsets.UTF_8);
  }

  @Test
  void membersExchangeMessagesOverHttpAndTheSocket() {
    String channel = officer.createChannel(policy(2, 90), "case");
    officer.add(channel, youthWorker);
    try (RealtimeClient socket =
        RealtimeClient.connect(net.server.server().port(), youthWorker.token())) {
      JsonObject ready = socket.next("ready");
      assertEquals(youthWorker.deviceId, ready.getString("deviceId"));
      assertEquals(channel, ready.getJsonArray("channels").getJsonObject(0).getString("id"));

      expect(201, officer.send(channel, "m1", "Case 17: school reports a change"));
      JsonObject message = socket.next("message");
      assertEquals(officer.deviceId, message.getString("senderDeviceId"));
      assertEquals(2, message.getLong("seq")); // seq 1 is the commit that added her
      assertEquals(
          "Case 17: school reports a change",
          text(youthWorker.sessions.get(channel), message.getString("ciphertext")));

      ChannelSession mine = youthWorker.sessions.get(channel);
      socket.send(
          new JsonObject()
              .put("type", "send")
              .put("channelId", channel)
              .put("epoch", mine.epoch())
              .put("clientMessageId", "reply-1")
              .put(
                  "ciphertext",
                  ChannelFixture.b64(
                      mine.protect(
                          new byte[0], "Seen, visiting Monday".getBytes(StandardCharsets.UTF_8)))));
      JsonObject ack = socket.next("ack");
      assertEquals("reply-1", ack.getString("clientMessageId"));
      assertEquals(3, ack.getLong("seq"));
    }
    // A sender cannot decrypt its own messages (MLS deletes the key); the officer reads the reply.
    JsonObject reply = officer.read(channel, 1, 100).getJsonArray("items").getJsonObject(1);
    assertEquals(youthWorker.deviceId, reply.getString("senderDeviceId"));
    assertEquals(
        "Seen, visiting Monday",
        text(officer.sessions.get(channel), reply.getString("ciphertext")));
  }

  @Test
  void theServerRefusesToAddAMemberBelowTheChannelsTier() {
    String channel = officer.createChannel(policy(2, 90), "case");
    // The fixture's trust checks attestations but not the policy: like a client that skips its
    // own policy check (or a malicious one), it crafts the commit anyway.
    List<byte[]> packages = officer.claim(volunteer.id());
    ChannelSession.PendingCommit crafted = officer.sessions.get(channel).add(packages);
    Api.Response refused = officer.commit(channel, crafted);
    assertEquals(403, refused.status(), refused.toString());
    assertEquals("policy-violation", refused.errorCode());
    assertEquals(
        "min-tier",
        refused.json().getJsonObject("error").getJsonObject("details").getString("rule"));
    assertEquals(
        volunteer.id(),
        refused.json().getJsonObject("error").getJsonObject("details").getString("userId"));
    // Nothing changed: same epoch, same members, no Welcome for the volunteer.
    JsonObject after =
        expect(200, net.api().get("/api/v1/channels/" + channel, officer.token())).json();
    assertEquals(0, after.getLong("epoch"));
    assertEquals(1, after.getJsonArray("members").size());
    assertEquals(
        0,
        expect(200, net.api().get("/api/v1/welcomes", volunteer.token()))
            .json()
            .getJsonArray("items")
            .size());
    // The client's own trust check refuses it before the server is asked.
    assertThrows(
        MlsException.class,
        () ->
            ChannelSession.create(
                    officer.identity,
                    officer.sessions.get(channel).groupId(),
                    org.liaison.crypto.mls.Trust.attestedBy(
                        net.root.publicKey(), java.time.Clock.systemUTC(), policy(2, 90)))
                .add(officer.claim(volunteer.id())));
  }

  @Test
  void aChannelWithoutLawEnforcementRefusesTheOfficer() {
    String channel =
        youthWorker.createChannel(
            policy(1, 30, "youth-work", "civil-society", "municipality"), "team");
    Api.Response refused =
        youthWorker.commit(
            channel, youthWorker.sessions.get(channel).add(youthWorker.claim(officer.id())));
    assertEquals(403, refused.status());
    assertEquals(
        "sector", refused.json().getJsonObject("error").getJsonObject("details").getString("rule"));
    youthWorker.add(channel, volunteer);
    assertEquals(1, youthWorker.sessions.get(channel).epoch());
  }

  @Test
  void oneCommitPerEpochTheLoserRebases() {
    String channel = officer.createChannel(policy(2, 90), "case");
    officer.add(channel, youthWorker);
    long epoch = officer.sessions.get(channel).epoch();
    ChannelSession.PendingCommit first = officer.sessions.get(channel).update();
    ChannelSession.PendingCommit second = youthWorker.sessions.get(channel).update();
    expect(201, officer.commit(channel, first));
    Api.Response lost = youthWorker.commit(channel, second);
    assertEquals(409, lost.status());
    assertEquals("wrong-epoch", lost.errorCode());
    assertEquals(
        epoch + 1,
        lost.json().getJsonObject("error").getJsonObject("details").getLong("currentEpoch"));
    // Rebase: process the winner from the log, then commit again.
    youthWorker.process(channel, youthWorker.read(channel, 1, 100).getJsonArray("items"));
    expect(201, youthWorker.commit(channel, youthWorker.sessions.get(channel).update()));
    officer.process(channel, officer.read(channel, 2, 100).getJsonArray("items"));
    assertEquals(epoch + 2, officer.sessions.get(channel).epoch());
    assertTrue(
        java.util.Arrays.equals(
            officer.sessions.get(channel).epochAuthenticator(),
            youthWorker.sessions.get(channel).epochAuthenticator()));
  }

  @Test
  void aRetriedSendIsStoredOnce() {
    String channel = officer.createChannel(policy(2, 90), "case");
    officer.add(channel, youthWorker);
    ChannelSession session = officer.sessions.get(channel);
    byte[] ciphertext = session.protect(new byte[0], "once".getBytes(StandardCharsets.UTF_8));
    JsonObject body =
        new JsonObject()
            .put("epoch", session.epoch())
            .put("clientMessageId", "retry-me")
            .put("ciphertext", ChannelFixture.b64(ciphertext));
    Api.Response first =
        net.api().post("/api/v1/channels/" + channel + "/messages", officer.token(), body);
    Api.Response again =
        net.api().post("/api/v1/channels/" + channel + "/messages", officer.token(), body);
    assertEquals(201, first.status());
    assertEquals(200, again.status());
    assertEquals(first.json().getLong("seq"), again.json().getLong("seq"));
    assertTrue(again.json().getBoolean("duplicate"));
    // After a restart the memory of recent sends is gone; the store's unique index answers.
    net.server.restart();
    Api.Response afterRestart =
        net.api().post("/api/v1/channels/" + channel + "/messages", officer.token(), body);
    assertEquals(200, afterRestart.status(), afterRestart.toString());
    assertEquals(first.json().getLong("seq"), afterRestart.json().getLong("seq"));
    JsonArray items = youthWorker.read(channel, 0, 100).getJsonArray("items");
    assertEquals(
        1,
        items.stream().filter(i -> "message".equals(((JsonObject) i).getString("kind"))).count());
  }

  @Test
  void aRemovedMemberReceivesNothingAfterItsRemovalAndCannotDecryptLaterMessages()
      throws Exception {
    String channel = officer.createChannel(policy(2, 90), "case");
    // bcmls cannot commit an epoch with one member, so a third stays (docs/crypto.md).
    Person caseManager = net.person("Case Manager", "municipality", 2, 5);
    officer.add(channel, youthWorker, caseManager);
    ChannelSession before = youthWorker.sessions.get(channel);
    try (RealtimeClient socket =
        RealtimeClient.connect(net.server.server().port(), youthWorker.token())) {
      socket.next("ready");
      expect(
          201,
          officer.commit(
              channel,
              officer.sessions.get(channel).remove(m -> m.userId().equals(youthWorker.id()))));
      JsonObject handshake = socket.next("handshake");
      assertEquals(
          youthWorker.deviceId,
          handshake.getJsonArray("removed").getJsonObject(0).getString("deviceId"));
      assertEquals("removed", socket.next("channel-updated").getString("reason"));
      expect(201, officer.send(channel, "after", "Not for her"));
      JsonObject late = socket.frames.poll(1, TimeUnit.SECONDS);
      assertNull(late, "nothing after the removal, got " + late);
    }
    assertEquals(
        404,
        net.api()
            .get("/api/v1/channels/" + channel + "/messages?after=0", youthWorker.token())
            .status());
    // Even with the ciphertext in hand (say, from a stolen backup), her old state cannot read it.
    JsonObject last =
        officer.read(channel, 0, 100).getJsonArray("items").stream()
            .map(o -> (JsonObject) o)
            .filter(e -> "message".equals(e.getString("kind")))
            .reduce((a, b) -> b)
            .orElseThrow();
    assertThrows(MlsException.class, () -> before.unprotect(unb64(last.getString("ciphertext"))));
  }

  @Test
  void aSyncPastTheHeadDoesNotLetADeviceOutliveItsRemoval() throws Exception {
    String channel = officer.createChannel(policy(2, 90), "case");
    Person caseManager = net.person("Case Manager", "municipality", 2, 5);
    officer.add(channel, youthWorker, caseManager);
    try (RealtimeClient socket =
        RealtimeClient.connect(net.server.server().port(), youthWorker.token())) {
      socket.next("ready");
      long head = officer.read(channel, 0, 100).getLong("next");
      // She asks to resume far past the head, as if she had seen her own coming removal.
      socket.send(
          new JsonObject().put("type", "sync").put("channelId", channel).put("after", head + 50));
      expect(
          201,
          officer.commit(
              channel,
              officer.sessions.get(channel).remove(m -> m.userId().equals(youthWorker.id()))));
      assertEquals("removed", socket.next("channel-updated").getString("reason"));
      for (int i = 0; i < 60; i++) {
        expect(201, officer.send(channel, "later-" + i, "Not for her"));
      }
      JsonObject late;
      while ((late = socket.frames.poll(1, TimeUnit.SECONDS)) != null) {
        assertTrue(
            !"message".equals(late.getString("type")), "a message after her removal: " + late);
      }
      // And a sync now, from a device no longer in the channel, starts nothing.
      socket.send(new JsonObject().put("type", "sync").put("channelId", channel).put("after", 0));
      assertEquals("channel-not-found", socket.next("error").getString("code"));
    }
  }

  @Test
  void aSyncFromZeroGivesALateJoinerNothingFromBeforeItJoined() {
    String channel = officer.createChannel(policy(2, 90), "case");
    Person caseManager = net.person("Case Manager", "municipality", 2, 5);
    officer.add(channel, caseManager);
    expect(201, officer.send(channel, "before-1", "Before she joined"));
    officer.add(channel, youthWorker);
    long joinedAt = officer.read(channel, 0, 100).getLong("next");
    try (RealtimeClient socket =
        RealtimeClient.connect(net.server.server().port(), youthWorker.token())) {
      socket.next("ready");
      socket.send(new JsonObject().put("type", "sync").put("channelId", channel).put("after", 0));
      expect(201, officer.send(channel, "after-1", "After she joined"));
      JsonObject first = socket.next("message");
      assertTrue(
          first.getLong("seq") > joinedAt,
          "first entry " + first.getLong("seq") + " is from before she joined at " + joinedAt);
    }
  }

  @Test
  void aRemovedDeviceAddedAgainIsFollowedAgainOnTheSameSocket() {
    // A browser restored from the key backup is the same device without group state: an owner
    // removes its old leaf and adds it again, while its socket stays open.
    String channel = officer.createChannel(policy(2, 90), "case");
    Person caseManager = net.person("Case Manager", "municipality", 2, 5);
    officer.add(channel, youthWorker, caseManager);
    try (RealtimeClient socket =
        RealtimeClient.connect(net.server.server().port(), youthWorker.token())) {
      socket.next("ready");
      expect(
          201,
          officer.commit(
              channel,
              officer.sessions.get(channel).remove(m -> m.userId().equals(youthWorker.id()))));
      assertEquals("removed", socket.next("channel-updated").getString("reason"));
      officer.add(channel, youthWorker);
      assertEquals(channel, socket.next("welcome").getString("channelId"));
      expect(201, officer.send(channel, "back", "Welcome back"));
      JsonObject message = socket.next("message");
      assertEquals(channel, message.getString("channelId"));
      assertEquals(officer.deviceId, message.getString("senderDeviceId"));
    }
  }

  @Test
  void onlyOwnersCoordinatorsOrTheMemberThemselvesRemove() {
    String channel = officer.createChannel(policy(1, 90), "team");
    officer.add(channel, youthWorker, volunteer);
    youthWorker.process(channel, youthWorker.read(channel, 0, 100).getJsonArray("items"));
    Api.Response refused =
        youthWorker.commit(
            channel,
            youthWorker.sessions.get(channel).remove(m -> m.userId().equals(volunteer.id())));
    assertEquals(403, refused.status());
    assertEquals(
        "remove-not-allowed",
        refused.json().getJsonObject("error").getJsonObject("details").getString("rule"));
    expect(
        201,
        officer.commit(
            channel, officer.sessions.get(channel).remove(m -> m.userId().equals(volunteer.id()))));
  }

  @Test
  void aCommitSignedForAnotherLeafIsRefused() {
    String channel = officer.createChannel(policy(2, 90), "case");
    officer.add(channel, youthWorker);
    // The youth worker's session posts a commit the officer's device made.
    ChannelSession.PendingCommit officers = officer.sessions.get(channel).update();
    Api.Response refused =
        net.api()
            .post(
                "/api/v1/channels/" + channel + "/commits",
                youthWorker.token(),
                new JsonObject()
                    .put("epoch", officer.sessions.get(channel).epoch())
                    .put("commit", ChannelFixture.b64(officers.commit()))
                    .put("groupInfo", ChannelFixture.b64(officers.next().groupInfo())));
    assertEquals(403, refused.status());
    assertEquals("sender-mismatch", refused.errorCode());
  }

  @Test
  void aDeviceOfflineFor500MessagesCatchesUpInOrderWithoutGapsOrDuplicates() {
    String channel = officer.createChannel(policy(2, 90), "case");
    officer.add(channel, youthWorker);
    for (int i = 0; i < 500; i++) {
      expect(201, officer.send(channel, "bulk-" + i, "message " + i));
    }
    // Over HTTP, in pages.
    List<String> texts = new ArrayList<>();
    List<Long> seqs = new ArrayList<>();
    long after = 1;
    ChannelSession session = youthWorker.sessions.get(channel);
    while (true) {
      JsonObject page = youthWorker.read(channel, after, 100);
      JsonArray items = page.getJsonArray("items");
      if (items.isEmpty()) {
        break;
      }
      for (Object item : items) {
        JsonObject entry = (JsonObject) item;
        seqs.add(entry.getLong("seq"));
        texts.add(text(session, entry.getString("ciphertext")));
      }
      after = page.getLong("next");
    }
    assertEquals(500, texts.size());
    for (int i = 0; i < 500; i++) {
      assertEquals("message " + i, texts.get(i));
      assertEquals(i + 2, seqs.get(i));
    }
    // Over the socket: everything after the device's last ack is pushed, in order.
    try (RealtimeClient socket =
        RealtimeClient.connect(net.server.server().port(), youthWorker.token())) {
      assertEquals(
          1, socket.next("ready").getJsonArray("channels").getJsonObject(0).getLong("lastAck"));
      for (int i = 0; i < 500; i++) {
        assertEquals(i + 2, socket.next("message").getLong("seq"));
      }
    }
  }

  @Test
  void aMemberWhoLeavesAndARevokedDeviceAreRemovedByAnyMember() {
    String channel = officer.createChannel(policy(1, 90), "team");
    Person teacher = net.person("Teacher", "municipality", 2, 3);
    officer.add(channel, youthWorker, volunteer, teacher);
    volunteer.process(channel, volunteer.read(channel, 0, 100).getJsonArray("items"));
    try (RealtimeClient socket =
        RealtimeClient.connect(net.server.server().port(), volunteer.token())) {
      socket.next("ready");
      JsonObject left =
          expect(
                  200,
                  net.api()
                      .post(
                          "/api/v1/channels/" + channel + "/leave",
                          youthWorker.token(),
                          new JsonObject()))
              .json();
      assertEquals(List.of(youthWorker.id()), left.getJsonArray("leaving").getList());
      JsonObject asked = socket.next("channel-updated");
      assertEquals("leave-requested", asked.getString("reason"));
      assertEquals(youthWorker.id(), asked.getString("userId"));
      // The volunteer owns nothing, yet may carry out the leave.
      expect(
          201,
          volunteer.commit(
              channel,
              volunteer.sessions.get(channel).remove(m -> m.userId().equals(youthWorker.id()))));
      assertEquals(
          0,
          expect(200, net.api().get("/api/v1/channels/" + channel, officer.token()))
              .json()
              .getJsonArray("leaving")
              .size());

      expect(
          200,
          net.api()
              .post(
                  "/api/v1/devices/" + teacher.deviceId + "/revoke",
                  teacher.token(),
                  new JsonObject()));
      JsonObject revoked = socket.next("channel-updated");
      while (!"device-revoked".equals(revoked.getString("reason"))) {
        revoked = socket.next("channel-updated");
      }
      assertEquals(teacher.deviceId, revoked.getString("deviceId"));
      expect(
          201,
          volunteer.commit(
              channel,
              volunteer.sessions.get(channel).remove(m -> m.deviceId().equals(teacher.deviceId))));
    }
  }

  @Test
  void aConnectionFollowsChannelsItsDeviceCreatesAndSurvivesItsOwnResync() {
    Person caseManager = net.person("Case Manager", "municipality", 2, 5);
    try (RealtimeClient officers =
            RealtimeClient.connect(net.server.server().port(), officer.token());
        RealtimeClient youths =
            RealtimeClient.connect(net.server.server().port(), youthWorker.token())) {
      officers.next("ready");
      youths.next("ready");
      String channel = officer.createChannel(policy(2, 90), "case");
      JsonObject created = officers.next("channel-updated");
      assertEquals("created", created.getString("reason"));
      officer.add(channel, youthWorker, caseManager);
      assertEquals(1, officers.next("handshake").getLong("seq"));
      youths.next("welcome");

      // The youth worker lost her state (a restart): she rejoins by external commit, replacing
      // her own leaf. Her socket keeps the channel.
      byte[] groupInfo =
          ChannelFixture.unb64(
              expect(
                      200,
                      net.api()
                          .get("/api/v1/channels/" + channel + "/group-info", youthWorker.token()))
                  .json()
                  .getString("groupInfo"));
      ChannelSession.PendingCommit resync =
          ChannelSession.resync(youthWorker.identity, groupInfo, net.trust());
      Api.Response rejoined =
          net.api()
              .post(
                  "/api/v1/channels/" + channel + "/commits",
                  youthWorker.token(),
                  new JsonObject()
                      .put("epoch", 1)
                      .put("commit", ChannelFixture.b64(resync.commit()))
                      .put("groupInfo", ChannelFixture.b64(resync.next().groupInfo())));
      assertEquals(201, rejoined.status(), rejoined.toString());
      JsonObject handshake = youths.next("handshake");
      assertEquals(
          youthWorker.deviceId,
          handshake.getJsonArray("added").getJsonObject(0).getString("deviceId"));
      youthWorker.sessions.put(channel, resync.next());
      officer.process(channel, officer.read(channel, 1, 100).getJsonArray("items"));
      expect(201, officer.send(channel, "after-resync", "welcome back"));
      assertEquals(
          "welcome back",
          text(youthWorker.sessions.get(channel), youths.next("message").getString("ciphertext")));
    }
  }

  @Test
  void aPageOfLargeMessagesStaysBoundedAndNextGoesOn() {
    String channel = officer.createChannel(policy(2, 90), "case");
    officer.add(channel, youthWorker);
    for (int i = 0; i < 30; i++) {
      expect(201, officer.send(channel, "large-" + i, new byte[200 * 1024]));
    }
    JsonObject first = youthWorker.read(channel, 1, 100);
    int firstPage = first.getJsonArray("items").size();
    assertTrue(firstPage >= 15 && firstPage <= 21, "page of " + firstPage);
    JsonObject second = youthWorker.read(channel, first.getLong("next"), 100);
    assertEquals(30, firstPage + second.getJsonArray("items").size());
  }
}
