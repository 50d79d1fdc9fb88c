package org.liaison.server.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.liaison.server.testing.ChannelFixture.b64;
import static org.liaison.server.testing.ChannelFixture.expect;
import static org.liaison.server.testing.ChannelFixture.policy;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.crypto.mls.ChannelSession;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.ChannelFixture;
import org.liaison.server.testing.ChannelFixture.Person;
import org.liaison.server.testing.ChildServer;

/**
 * A 201 with a seq means durable: the server is killed with SIGKILL while members send, and after a
 * restart every acknowledged message is in the log under its seq, the log is dense, and the next
 * message gets a seq after all of them (none is handed out twice).
 */
class AcknowledgedMessagesSurviveKillTest {
  private static final int SENDERS = 4;
  private static final int PREPARED = 2_000;

  @TempDir Path dataDir;

  @Test
  void everyAcknowledgedMessageSurvivesKillNine() throws Exception {
    try (ChannelFixture net = new ChannelFixture(dataDir)) {
      Person officer = net.person("Officer", "law-enforcement", 2, 3);
      Person youthWorker = net.person("Youth Worker", "youth-work", 2, 3);
      String channel = officer.createChannel(policy(2, 90), "case");
      officer.add(channel, youthWorker);
      List<JsonObject> bodies = prepare(officer.sessions.get(channel), PREPARED);
      net.server.stop();

      Map<String, Long> acknowledged = new ConcurrentHashMap<>();
      ChildServer child = ChildServer.start(net.server.settings());
      try {
        Api api = child.waitForHealth();
        ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
        AtomicInteger next = new AtomicInteger();
        for (int s = 0; s < SENDERS; s++) {
          senders.submit(
              () -> {
                for (int i = next.getAndIncrement();
                    i < bodies.size();
                    i = next.getAndIncrement()) {
                  JsonObject body = bodies.get(i);
                  Api.Response response;
                  try {
                    response =
                        api.post(
                            "/api/v1/channels/" + channel + "/messages", officer.token(), body);
                  } catch (RuntimeException killed) {
                    return;
                  }
                  if (response.status() == 201) {
                    acknowledged.put(
                        body.getString("clientMessageId"), response.json().getLong("seq"));
                  }
                }
              });
        }
        // Kill while acknowledgements are streaming in, well inside any background flush period.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (acknowledged.size() < 300 && System.nanoTime() < deadline) {
          Thread.sleep(5);
        }
        child.process().destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no final flush
        child.process().waitFor(30, TimeUnit.SECONDS);
        senders.shutdown();
        senders.awaitTermination(60, TimeUnit.SECONDS);
      } finally {
        child.process().destroyForcibly();
      }
      assertTrue(acknowledged.size() >= 300, "the load ran: " + acknowledged.size() + " acked");

      net.server.startAgain();
      Map<Long, JsonObject> log = readLog(youthWorker, channel);
      Map<String, String> ciphertexts = new HashMap<>();
      for (JsonObject body : bodies) {
        ciphertexts.put(body.getString("clientMessageId"), body.getString("ciphertext"));
      }
      List<String> lost = new ArrayList<>();
      acknowledged.forEach(
          (id, seq) -> {
            JsonObject entry = log.get(seq);
            if (entry == null || !ciphertexts.get(id).equals(entry.getString("ciphertext"))) {
              lost.add(id + "@" + seq);
            }
          });
      assertEquals(List.of(), lost, "acknowledged messages missing or replaced after kill -9");
      long first = log.keySet().stream().mapToLong(Long::longValue).min().orElseThrow();
      long head = log.keySet().stream().mapToLong(Long::longValue).max().orElseThrow();
      // The youth worker reads from the entry after the commit that added her.
      for (long seq = first; seq <= head; seq++) {
        assertTrue(log.containsKey(seq), "dense log: seq " + seq + " missing");
      }
      JsonObject after =
          expect(
                  201,
                  officer.send(channel, "after-restart", "after".getBytes(StandardCharsets.UTF_8)))
              .json();
      assertEquals(head + 1, after.getLong("seq"), "no seq handed out twice");
    }
  }

  private static List<JsonObject> prepare(ChannelSession session, int count) {
    List<JsonObject> bodies = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      bodies.add(
          new JsonObject()
              .put("epoch", session.epoch())
              .put("clientMessageId", "m-" + i)
              .put(
                  "ciphertext",
                  b64(
                      session.protect(
                          new byte[0], ("message " + i).getBytes(StandardCharsets.UTF_8)))));
    }
    return bodies;
  }

  private static Map<Long, JsonObject> readLog(Person reader, String channel) {
    Map<Long, JsonObject> log = new HashMap<>();
    long after = 0;
    while (true) {
      JsonObject page = reader.read(channel, after, 200);
      if (page.getJsonArray("items").isEmpty()) {
        return log;
      }
      for (Object item : page.getJsonArray("items")) {
        JsonObject entry = (JsonObject) item;
        assertTrue(log.put(entry.getLong("seq"), entry) == null, "seq listed twice");
      }
      after = page.getLong("next");
    }
  }
}
