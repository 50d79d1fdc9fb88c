package org.liaison.server.documents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.liaison.server.documents.DocumentCalls.sealed;
import static org.liaison.server.testing.ChannelFixture.b64;
import static org.liaison.server.testing.ChannelFixture.expect;
import static org.liaison.server.testing.ChannelFixture.policy;

import io.vertx.core.json.JsonObject;
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
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.ChannelFixture;
import org.liaison.server.testing.ChannelFixture.Person;
import org.liaison.server.testing.ChildServer;

/**
 * A 201 for a document update means durable: the server is killed with SIGKILL while two devices
 * append, and after a restart every acknowledged update is there under its seq with its bytes, the
 * seqs are dense, and each device's numbering goes on where the store says it stopped.
 */
class AcknowledgedUpdatesSurviveKillTest {
  @TempDir Path dataDir;

  @Test
  void everyAcknowledgedUpdateSurvivesKillNine() throws Exception {
    try (ChannelFixture net = new ChannelFixture(dataDir)) {
      Person officer = net.person("Officer", "law-enforcement", 2, 3);
      Person youthWorker = net.person("Youth Worker", "youth-work", 2, 3);
      String channel = officer.createChannel(policy(2, 90), "case");
      officer.add(channel, youthWorker);
      String id = new DocumentCalls(net, channel).created(officer);
      net.server.stop();

      Map<Long, String> acknowledged = new ConcurrentHashMap<>();
      Map<Person, AtomicLong> lastAcked =
          Map.of(officer, new AtomicLong(), youthWorker, new AtomicLong());
      ChildServer child = ChildServer.start(net.server.settings());
      try {
        DocumentCalls docs = new DocumentCalls(net, channel).via(child.waitForHealth());
        ExecutorService devices = Executors.newFixedThreadPool(2);
        for (Person p : List.of(officer, youthWorker)) {
          devices.submit(
              () -> {
                // Each device numbers its updates in order, as a client does.
                for (long c = 1; c <= 2_000; c++) {
                  byte[] ciphertext = sealed(1);
                  Api.Response response;
                  try {
                    response = docs.append(p, id, c, ciphertext);
                  } catch (RuntimeException killed) {
                    return;
                  }
                  if (response.status() != 201) {
                    return;
                  }
                  acknowledged.put(response.json().getLong("seq"), b64(ciphertext));
                  lastAcked.get(p).set(c);
                }
              });
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (acknowledged.size() < 200 && System.nanoTime() < deadline) {
          Thread.sleep(5);
        }
        child.process().destroyForcibly();
        child.process().waitFor(30, TimeUnit.SECONDS);
        devices.shutdown();
        devices.awaitTermination(60, TimeUnit.SECONDS);
      } finally {
        child.process().destroyForcibly();
      }
      assertTrue(acknowledged.size() >= 200, "the load ran: " + acknowledged.size() + " acked");

      net.server.startAgain();
      DocumentCalls docs = new DocumentCalls(net, channel);
      Map<Long, String> stored = new HashMap<>();
      long after = 0;
      while (true) {
        JsonObject page = expect(200, docs.updates(youthWorker, id, after, 500)).json();
        for (Object item : page.getJsonArray("updates")) {
          JsonObject update = (JsonObject) item;
          stored.put(update.getLong("seq"), update.getString("ciphertext"));
          after = update.getLong("seq");
        }
        if (!page.getBoolean("more")) {
          break;
        }
      }
      List<Long> lost = new ArrayList<>();
      acknowledged.forEach(
          (seq, ciphertext) -> {
            if (!ciphertext.equals(stored.get(seq))) {
              lost.add(seq);
            }
          });
      assertEquals(List.of(), lost, "acknowledged updates missing or replaced after kill -9");
      for (long seq = 1; seq <= stored.size(); seq++) {
        assertTrue(stored.containsKey(seq), "dense: seq " + seq + " missing");
      }
      for (Person p : List.of(officer, youthWorker)) {
        JsonObject resent = expect(200, docs.append(p, id, lastAcked.get(p).get())).json();
        assertTrue(resent.getBoolean("duplicate"));
        // The next number is new, or stored but never acknowledged (the kill came in between).
        Api.Response next = docs.append(p, id, lastAcked.get(p).get() + 1);
        assertTrue(next.status() == 201 || next.status() == 200, next.toString());
        if (next.status() == 201) {
          assertEquals(stored.size() + 1, next.json().getLong("seq"), "no seq handed out twice");
          stored.put(next.json().getLong("seq"), "");
        }
      }
    }
  }
}
