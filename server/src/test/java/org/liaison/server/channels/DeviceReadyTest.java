package org.liaison.server.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.liaison.server.testing.ChannelFixture.policy;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.server.testing.ChannelFixture;
import org.liaison.server.testing.ChannelFixture.Person;
import org.liaison.server.testing.RealtimeClient;

/**
 * A member's new confirmed device (a restored browser, a second laptop) is pointed out to the
 * members of every channel she is in, once it has key packages, so their clients add it without a
 * second human step; channels she is not in hear nothing, and nor does a later top-up.
 */
class DeviceReadyTest {
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
  void membersOfHerChannelsAreToldHerNewDeviceCanBeAdded() throws Exception {
    String team = officer.createChannel(policy(1, 90), "team");
    officer.add(team, youthWorker);
    String other = volunteer.createChannel(policy(1, 90), "team");
    int port = net.server.server().port();
    try (RealtimeClient officerSocket = RealtimeClient.connect(port, officer.token());
        RealtimeClient volunteerSocket = RealtimeClient.connect(port, volunteer.token())) {
      officerSocket.next("ready");
      volunteerSocket.next("ready");

      Person laptop = net.anotherDevice(youthWorker, 2, "youth-work", 3);

      assertEquals(
          new JsonObject()
              .put("reason", "device-ready")
              .put("userId", youthWorker.id())
              .put("deviceId", laptop.deviceId)
              .put("type", "channel-updated")
              .put("channelId", team),
          officerSocket.next("channel-updated"));
      assertNull(
          volunteerSocket.frames.poll(500, TimeUnit.MILLISECONDS), "not her channel: " + other);

      // A top-up of a device that still holds packages is no news.
      laptop.uploadKeyPackages(2);
      assertNull(officerSocket.frames.poll(500, TimeUnit.MILLISECONDS));
    }
  }
}
