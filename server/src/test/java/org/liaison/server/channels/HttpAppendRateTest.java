package org.liaison.server.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.liaison.server.testing.ChannelFixture.expect;
import static org.liaison.server.testing.ChannelFixture.policy;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.ChannelFixture;
import org.liaison.server.testing.ChannelFixture.Person;

/**
 * Messages and commits over HTTP draw from a token bucket per device: past the burst a device gets
 * {@code 429 rate-limited} with {@code retryAfterSeconds}; other devices are not held back, and
 * after the wait the device may send again.
 */
class HttpAppendRateTest {
  private static final int BURST = 5;

  @TempDir Path dataDir;

  @Test
  void aDeviceFloodingAppendsIsHeldToItsRate() throws Exception {
    try (ChannelFixture net =
        new ChannelFixture(
            dataDir,
            Map.of(
                "LIAISON_HTTP_APPENDS_PER_SECOND",
                "1",
                "LIAISON_HTTP_APPEND_BURST",
                Integer.toString(BURST)))) {
      Person officer = net.person("Officer", "law-enforcement", 2, 3);
      Person youthWorker = net.person("Youth Worker", "youth-work", 2, 3);
      String channel = officer.createChannel(policy(2, 90), "case");
      officer.add(channel, youthWorker);

      long start = System.nanoTime();
      int accepted = 0;
      Api.Response refused = null;
      for (int i = 0; i < 50 && refused == null; i++) {
        Api.Response sent = officer.send(channel, "m-" + i, "flood " + i);
        if (sent.status() == 201) {
          accepted++;
        } else {
          refused = sent;
        }
      }
      double elapsed = (System.nanoTime() - start) / 1e9;
      assertTrue(refused != null, "50 sends in a row were all accepted");
      assertEquals(429, refused.status(), refused.toString());
      assertEquals("rate-limited", refused.errorCode());
      long retryAfter =
          refused
              .json()
              .getJsonObject("error")
              .getJsonObject("details")
              .getLong("retryAfterSeconds");
      assertEquals(1, retryAfter, refused.toString());
      assertEquals("1", refused.header("Retry-After"));
      // The add commit took one token; then the burst, plus what refilled meanwhile.
      assertTrue(accepted <= BURST + elapsed + 1, accepted + " accepted in " + elapsed + " s");

      // Commits draw from the same bucket (refused before the body is looked at).
      Api.Response commit =
          net.api()
              .post("/api/v1/channels/" + channel + "/commits", officer.token(), new JsonObject());
      assertEquals(429, commit.status(), commit.toString());
      // Another device is not held back.
      expect(201, youthWorker.send(channel, "y-1", "not me"));

      Thread.sleep(retryAfter * 1000 + 200);
      expect(201, officer.send(channel, "after-wait", "again"));
    }
  }
}
