package org.liaison.server.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.liaison.server.testing.ChannelFixture.expect;
import static org.liaison.server.testing.ChannelFixture.policy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.server.testing.ChannelFixture;
import org.liaison.server.testing.ChannelFixture.Person;
import org.liaison.server.testing.RealtimeClient;

/**
 * Removals members owe are stored with the channel, so a member who was offline when one was
 * announced still finds it when she next loads her channels; the commit that carries it out clears
 * it. Real server, real MLS.
 */
class RemovalsDueTest {
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
    volunteer = net.person("Amina Volunteer", "civil-society", 2, 5);
  }

  @AfterEach
  void close() {
    net.close();
  }

  @Test
  void aMemberOfflineDuringASuspensionFindsTheRemovalDueAndItIsGoneOnceCommitted() {
    String channel = officer.createChannel(policy(1, 90), "team");
    officer.add(channel, youthWorker, volunteer);
    // The volunteer holds no socket: she hears no channel-updated notice.
    expect(
        200,
        net.api()
            .post(
                "/api/v1/users/" + youthWorker.id() + "/suspend",
                net.admin.accessToken(),
                new JsonObject().put("reason", "under investigation")));

    JsonObject due = awaitDue(volunteer, channel, 1).getJsonObject(0);
    assertEquals(
        new JsonObject()
            .put("userId", youthWorker.id())
            .putNull("deviceId")
            .put("reason", "member-suspended"),
        due);
    assertEquals(
        due,
        expect(200, net.api().get("/api/v1/channels/" + channel, volunteer.token()))
            .json()
            .getJsonArray("removalsDue")
            .getJsonObject(0));

    // She may remove a suspended member, and does.
    expect(
        201,
        volunteer.commit(
            channel,
            volunteer.sessions.get(channel).remove(m -> m.userId().equals(youthWorker.id()))));
    assertEquals(0, removalsDue(volunteer, channel).size());
    assertEquals(0, removalsDue(officer, channel).size());
  }

  @Test
  void aLeaveRequestAndARevokedDeviceAreDueUntilTheirLeavesAreRemoved() {
    Person caseManager = net.person("Case Manager", "municipality", 2, 5);
    String channel = officer.createChannel(policy(1, 90), "team");
    officer.add(channel, youthWorker, volunteer, caseManager);
    expect(200, net.api().post("/api/v1/channels/" + channel + "/leave", volunteer.token(), null));
    expect(
        200,
        net.api()
            .post(
                "/api/v1/devices/" + youthWorker.deviceId + "/revoke", youthWorker.token(), null));
    JsonArray due = awaitDue(caseManager, channel, 2);
    assertEquals(
        new JsonArray()
            .add(
                new JsonObject()
                    .put("userId", volunteer.id())
                    .putNull("deviceId")
                    .put("reason", "leave-requested"))
            .add(
                new JsonObject()
                    .put("userId", youthWorker.id())
                    .put("deviceId", youthWorker.deviceId)
                    .put("reason", "device-revoked")),
        due);

    // One commit removes the leaver; the revoked device's removal stays due until another does.
    expect(
        201,
        caseManager.commit(
            channel,
            caseManager.sessions.get(channel).remove(m -> m.userId().equals(volunteer.id()))));
    JsonObject left =
        expect(200, net.api().get("/api/v1/channels/" + channel, caseManager.token())).json();
    assertEquals(new JsonArray().add(due.getJsonObject(1)), left.getJsonArray("removalsDue"));
    assertEquals(new JsonArray(), left.getJsonArray("leaving"));
  }

  @Test
  void aMemberWhoseTierFallsBelowTheChannelsIsDueForRemovalByAnyMember() {
    Person caseManager = net.person("Case Manager", "municipality", 2, 5);
    String channel = officer.createChannel(policy(2, 90), "case");
    officer.add(channel, youthWorker, caseManager);
    try (RealtimeClient socket =
        RealtimeClient.connect(net.server.server().port(), officer.token())) {
      socket.next("ready");
      expect(
          200,
          net.api()
              .put(
                  "/api/v1/users/" + youthWorker.id() + "/tier",
                  net.admin.accessToken(),
                  new JsonObject().put("tier", "T1").put("reason", "left the programme")));
      JsonObject notice = socket.next("channel-updated");
      assertEquals("tier-lowered", notice.getString("reason"));
      assertEquals(youthWorker.id(), notice.getString("userId"));
    }
    assertEquals(
        new JsonObject()
            .put("userId", youthWorker.id())
            .putNull("deviceId")
            .put("reason", "tier-lowered"),
        awaitDue(caseManager, channel, 1).getJsonObject(0));
    // Not an owner, not a coordinator: a member below the channel's tier is everyone's to remove.
    expect(
        201,
        caseManager.commit(
            channel,
            caseManager.sessions.get(channel).remove(m -> m.userId().equals(youthWorker.id()))));
    assertEquals(0, removalsDue(caseManager, channel).size());
  }

  /** The channel's due removals as the member's channel list shows them. */
  private JsonArray removalsDue(Person member, String channelId) {
    return expect(200, net.api().get("/api/v1/channels", member.token()))
        .json()
        .getJsonArray("items")
        .stream()
        .map(JsonObject.class::cast)
        .filter(c -> c.getString("id").equals(channelId))
        .findFirst()
        .orElseThrow()
        .getJsonArray("removalsDue");
  }

  /** The announcement is handled on the event bus after the request answered: a short wait. */
  private JsonArray awaitDue(Person member, String channelId, int count) {
    long end = System.currentTimeMillis() + 10_000;
    JsonArray due = removalsDue(member, channelId);
    while (due.size() < count && System.currentTimeMillis() < end) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      due = removalsDue(member, channelId);
    }
    assertEquals(count, due.size(), due.encode());
    return due;
  }
}
