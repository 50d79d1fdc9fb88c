package org.liaison.server.documents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.liaison.server.documents.DocumentCalls.sealed;
import static org.liaison.server.testing.ChannelFixture.expect;
import static org.liaison.server.testing.ChannelFixture.policy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.ChannelFixture;
import org.liaison.server.testing.ChannelFixture.Person;

/** The documents.* limits, and what a restart keeps. */
class DocumentLimitsAndRestartTest {
  @TempDir Path dataDir;

  @Test
  void limitsAnswer413And409AndABigSnapshotPassesItsOwnBodyLimit() {
    try (ChannelFixture net =
        new ChannelFixture(
            dataDir,
            Map.of(
                "LIAISON_DOCUMENTS_MAX_PER_CHANNEL", "2",
                "LIAISON_DOCUMENTS_MAX_UPDATE_BYTES", "4096",
                "LIAISON_DOCUMENTS_MAX_SNAPSHOT_BYTES", String.valueOf(3 << 20)))) {
      Person officer = net.person("Officer", "law-enforcement", 2, 3);
      String channel = officer.createChannel(policy(2, 90), "case");
      DocumentCalls docs = new DocumentCalls(net, channel);
      String id = docs.created(officer);
      docs.created(officer);
      Api.Response third = docs.create(officer, 0);
      assertEquals(409, third.status(), third.toString());
      assertEquals("too-many-documents", third.errorCode());
      assertEquals(
          2, third.json().getJsonObject("error").getJsonObject("details").getInteger("max"));

      Api.Response update = docs.append(officer, id, 1, sealed(16));
      assertEquals(413, update.status(), update.toString());
      assertEquals("update-too-large", update.errorCode());
      expect(201, docs.append(officer, id, 1, sealed(15)));

      // 3 MiB of snapshot is 4 MiB of base64: over http.maxBodyBytes (1 MiB), within its own.
      expect(201, docs.snapshot(officer, id, 1, sealed((3 << 20) / 256 - 1)));
      Api.Response tooLarge = docs.snapshot(officer, id, 1, sealed((3 << 20) / 256 + 1));
      assertEquals(413, tooLarge.status(), tooLarge.toString());
      assertEquals("document-too-large", tooLarge.errorCode());
      // Other routes keep the general limit.
      Api.Response version =
          net.api()
              .post(
                  docs.base() + "/" + id + "/versions",
                  officer.token(),
                  new JsonObject().put("pad", "x".repeat(2 << 20)));
      assertEquals(413, version.status(), version.toString());
      assertEquals("payload-too-large", version.errorCode());
    }
  }

  @Test
  void documentWritesShareTheDevicesHttpWriteBudgetWithMessages() {
    try (ChannelFixture net =
        new ChannelFixture(
            dataDir,
            Map.of("LIAISON_HTTP_APPEND_BURST", "3", "LIAISON_HTTP_APPENDS_PER_SECOND", "1"))) {
      Person officer = net.person("Officer", "law-enforcement", 2, 3);
      String channel = officer.createChannel(policy(2, 90), "case");
      DocumentCalls docs = new DocumentCalls(net, channel);
      String id = docs.created(officer);
      expect(201, docs.append(officer, id, 1));
      expect(201, docs.append(officer, id, 2));
      expect(201, docs.addVersion(officer, id));
      Api.Response refused = docs.snapshot(officer, id, 2, sealed(1));
      assertEquals(429, refused.status(), refused.toString());
      assertEquals("rate-limited", refused.errorCode());
      assertEquals(429, officer.send(channel, "m1", "hello").status());
      // Reads are not writes.
      expect(200, docs.open(officer, id));
    }
  }

  @Test
  void acknowledgedUpdatesAndIdempotenceSurviveARestart() {
    try (ChannelFixture net = new ChannelFixture(dataDir)) {
      Person officer = net.person("Officer", "law-enforcement", 2, 3);
      Person youthWorker = net.person("Youth Worker", "youth-work", 2, 3);
      String channel = officer.createChannel(policy(2, 90), "case");
      officer.add(channel, youthWorker);
      DocumentCalls docs = new DocumentCalls(net, channel);
      String id = docs.created(officer);
      Map<Long, String> acknowledged = new HashMap<>();
      for (int c = 1; c <= 20; c++) {
        for (Person p : List.of(officer, youthWorker)) {
          byte[] ciphertext = sealed(1);
          long seq = expect(201, docs.append(p, id, c, ciphertext)).json().getLong("seq");
          acknowledged.put(seq, ChannelFixture.b64(ciphertext));
        }
      }
      expect(201, docs.snapshot(officer, id, 10, sealed(2)));

      net.server.restart();
      officer.signIn();
      youthWorker.signIn();

      JsonObject opened = expect(200, docs.open(youthWorker, id)).json();
      assertEquals(10, opened.getJsonObject("snapshot").getLong("coversSeq"));
      JsonArray updates = opened.getJsonArray("updates");
      assertEquals(30, updates.size());
      for (int i = 0; i < updates.size(); i++) {
        JsonObject u = updates.getJsonObject(i);
        assertEquals(11 + i, u.getLong("seq"));
        assertEquals(acknowledged.get(u.getLong("seq")), u.getString("ciphertext"));
      }
      JsonObject resent = expect(200, docs.append(officer, id, 20)).json();
      assertTrue(resent.getBoolean("duplicate"));
      assertEquals(acknowledged.entrySet().stream().filter(e -> e.getKey() > 10).count(), 30);
      assertEquals(41, expect(201, docs.append(officer, id, 21)).json().getLong("seq"));
      assertEquals("client-seq-gap", docs.append(youthWorker, id, 22).errorCode());
      assertEquals(
          List.of(opened.getJsonObject("document").getString("id")),
          expect(200, net.api().get(docs.base(), officer.token()))
              .json()
              .getJsonArray("documents")
              .stream()
              .map(d -> ((JsonObject) d).getString("id"))
              .toList());
    }
  }
}
