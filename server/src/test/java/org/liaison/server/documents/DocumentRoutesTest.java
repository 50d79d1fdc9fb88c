package org.liaison.server.documents;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.liaison.server.documents.DocumentCalls.sealed;
import static org.liaison.server.documents.DocumentCalls.signature;
import static org.liaison.server.testing.ChannelFixture.b64;
import static org.liaison.server.testing.ChannelFixture.expect;
import static org.liaison.server.testing.ChannelFixture.policy;
import static org.liaison.server.testing.ChannelFixture.unb64;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.ChannelFixture;
import org.liaison.server.testing.ChannelFixture.Person;

/**
 * The document routes against a real server, store and MLS channel: what members can do, in what
 * order the server numbers it, and what it refuses.
 */
class DocumentRoutesTest {
  @TempDir Path dataDir;
  ChannelFixture net;
  Person officer;
  Person youthWorker;
  String channel;
  DocumentCalls docs;

  @BeforeEach
  void network() {
    net = new ChannelFixture(dataDir);
    officer = net.person("Officer", "law-enforcement", 2, 5);
    youthWorker = net.person("Youth Worker", "youth-work", 2, 5);
    channel = officer.createChannel(policy(2, 90), "case");
    officer.add(channel, youthWorker);
    docs = new DocumentCalls(net, channel);
  }

  @AfterEach
  void close() {
    net.close();
  }

  @Test
  void membersCreateListOpenAndChangeTheHeaderOfADocument() {
    byte[] header = sealed(1);
    JsonObject created =
        expect(
                201,
                net.api()
                    .post(
                        docs.base(),
                        officer.token(),
                        new JsonObject().put("generation", 1).put("header", b64(header))))
            .json();
    String id = created.getString("id");
    assertTrue(id.matches("[0-9a-f]{32}"), id);
    assertEquals(channel, created.getString("channelId"));
    assertEquals(1, created.getLong("generation"));
    assertArrayEquals(header, unb64(created.getString("header")));
    assertEquals(officer.id(), created.getString("createdBy"));
    assertEquals(0, created.getLong("lastSeq"));
    assertEquals(0, created.getLong("snapshotSeq"));
    assertEquals(
        Set.of(
            "id",
            "channelId",
            "generation",
            "header",
            "createdBy",
            "createdAt",
            "updatedAt",
            "lastSeq",
            "snapshotSeq"),
        created.fieldNames());

    String second = docs.created(youthWorker);
    JsonArray listed =
        expect(200, net.api().get(docs.base(), youthWorker.token()))
            .json()
            .getJsonArray("documents");
    assertEquals(
        List.of(id, second), listed.stream().map(d -> ((JsonObject) d).getString("id")).toList());

    byte[] renamed = sealed(2);
    JsonObject changed =
        expect(
                200,
                net.api()
                    .put(
                        docs.base() + "/" + id + "/header",
                        youthWorker.token(),
                        new JsonObject().put("generation", 1).put("header", b64(renamed))))
            .json();
    assertArrayEquals(renamed, unb64(changed.getString("header")));

    JsonObject opened = expect(200, docs.open(officer, id)).json();
    assertArrayEquals(renamed, unb64(opened.getJsonObject("document").getString("header")));
    assertNull(opened.getJsonObject("snapshot"));
    assertEquals(0, opened.getJsonArray("updates").size());
    assertFalse(opened.getBoolean("more"));
  }

  @Test
  void updatesAreNumberedInOrderAndReadBackAfterASeq() {
    String id = docs.created(officer);
    byte[] first = sealed(1);
    JsonObject accepted = expect(201, docs.append(officer, id, 1, first)).json();
    assertEquals(1, accepted.getLong("seq"));
    assertFalse(accepted.getBoolean("duplicate"));
    assertEquals(2, expect(201, docs.append(youthWorker, id, 1)).json().getLong("seq"));
    assertEquals(3, expect(201, docs.append(officer, id, 2)).json().getLong("seq"));

    JsonArray all =
        expect(200, docs.updates(youthWorker, id, 0, 500)).json().getJsonArray("updates");
    assertEquals(3, all.size());
    JsonObject update = all.getJsonObject(0);
    assertEquals(1, update.getLong("seq"));
    assertEquals(officer.id(), update.getString("authorUserId"));
    assertEquals(officer.deviceId, update.getString("authorDeviceId"));
    assertEquals(1, update.getLong("clientSeq"));
    assertArrayEquals(first, unb64(update.getString("ciphertext")));
    assertEquals(64, unb64(update.getString("signature")).length);

    JsonObject page = expect(200, docs.updates(youthWorker, id, 1, 1)).json();
    assertEquals(2, page.getJsonArray("updates").getJsonObject(0).getLong("seq"));
    assertTrue(page.getBoolean("more"));
    assertFalse(expect(200, docs.updates(youthWorker, id, 2, 5)).json().getBoolean("more"));
    assertEquals(
        3, expect(200, docs.open(officer, id)).json().getJsonObject("document").getLong("lastSeq"));
  }

  @Test
  void concurrentAppendsFromTwoDevicesGetDenseDistinctSeqs() throws Exception {
    String id = docs.created(officer);
    int each = 25;
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<List<Long>>> runs = new ArrayList<>();
      for (Person p : List.of(officer, youthWorker)) {
        runs.add(
            pool.submit(
                () -> {
                  List<Long> seqs = new ArrayList<>();
                  for (int c = 1; c <= each; c++) {
                    seqs.add(expect(201, docs.append(p, id, c)).json().getLong("seq"));
                  }
                  return seqs;
                }));
      }
      Set<Long> seqs = new HashSet<>();
      for (Future<List<Long>> run : runs) {
        seqs.addAll(run.get());
      }
      Set<Long> dense = new HashSet<>();
      for (long s = 1; s <= 2 * each; s++) {
        dense.add(s);
      }
      assertEquals(dense, seqs);
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void aResentClientSeqAnswersTheStoredSeqAndAGapIsRefused() {
    String id = docs.created(officer);
    expect(201, docs.append(officer, id, 1));
    expect(201, docs.append(youthWorker, id, 1));
    expect(201, docs.append(officer, id, 2));

    JsonObject resent = expect(200, docs.append(officer, id, 2)).json();
    assertEquals(3, resent.getLong("seq"));
    assertTrue(resent.getBoolean("duplicate"));
    JsonObject older = expect(200, docs.append(officer, id, 1)).json();
    assertEquals(1, older.getLong("seq"));
    assertTrue(older.getBoolean("duplicate"));

    Api.Response gap = docs.append(officer, id, 5);
    assertEquals(409, gap.status(), gap.toString());
    assertEquals("client-seq-gap", gap.errorCode());
    assertEquals(3, gap.json().getJsonObject("error").getJsonObject("details").getLong("expected"));
    assertEquals(
        3, expect(200, docs.updates(officer, id, 0, 500)).json().getJsonArray("updates").size());
  }

  @Test
  void aSnapshotReplacesTheUpdatesItsPredecessorCoversAndAStaleOneIsRefused() {
    String id = docs.created(officer);
    for (int c = 1; c <= 6; c++) {
      expect(201, docs.append(officer, id, c));
    }
    byte[] first = sealed(4);
    assertEquals(
        2, expect(201, docs.snapshot(youthWorker, id, 2, first)).json().getLong("coversSeq"));
    JsonObject opened = expect(200, docs.open(officer, id)).json();
    assertEquals(2, opened.getJsonObject("snapshot").getLong("coversSeq"));
    assertEquals(
        youthWorker.deviceId, opened.getJsonObject("snapshot").getString("authorDeviceId"));
    assertArrayEquals(first, unb64(opened.getJsonObject("snapshot").getString("ciphertext")));
    assertEquals(
        List.of(3L, 4L, 5L, 6L),
        opened.getJsonArray("updates").stream().map(u -> ((JsonObject) u).getLong("seq")).toList());

    Api.Response stale = docs.snapshot(officer, id, 2, sealed(1));
    assertEquals(409, stale.status(), stale.toString());
    assertEquals("snapshot-stale", stale.errorCode());
    assertEquals("snapshot-stale", docs.snapshot(officer, id, 1, sealed(1)).errorCode());
    Api.Response ahead = docs.snapshot(officer, id, 7, sealed(1));
    assertEquals(400, ahead.status(), ahead.toString());
    assertEquals(
        "coversSeq",
        ahead.json().getJsonObject("error").getJsonObject("details").getString("field"));

    expect(201, docs.snapshot(officer, id, 5, sealed(1)));
    // The previous snapshot (2) and the updates after it stay; nothing it covers does.
    assertEquals(
        List.of(3L, 4L, 5L, 6L),
        expect(200, docs.updates(officer, id, 2, 500)).json().getJsonArray("updates").stream()
            .map(u -> ((JsonObject) u).getLong("seq"))
            .toList());
    assertEquals(2, net.server.dump("document_snapshots").split("coversSeq").length - 1);
    expect(201, docs.snapshot(officer, id, 6, sealed(1)));
    // Now the snapshot at 2 and the updates up to 5 are gone.
    assertEquals(2, net.server.dump("document_snapshots").split("coversSeq").length - 1);
    Api.Response compacted = docs.updates(officer, id, 2, 500);
    assertEquals(410, compacted.status(), compacted.toString());
    assertEquals("updates-compacted", compacted.errorCode());
    assertEquals(
        List.of(6L),
        expect(200, docs.updates(officer, id, 5, 500)).json().getJsonArray("updates").stream()
            .map(u -> ((JsonObject) u).getLong("seq"))
            .toList());
    // Idempotence outlives compaction: the device's numbers are in the document record.
    JsonObject resent = expect(200, docs.append(officer, id, 2)).json();
    assertTrue(resent.getBoolean("duplicate"));
    assertEquals(201, docs.append(officer, id, 7).status());
    assertEquals("client-seq-gap", docs.append(officer, id, 9).errorCode());
  }

  @Test
  void versionsGetServerIdsAndTheLastSeq() {
    String id = docs.created(officer);
    expect(201, docs.append(officer, id, 1));
    expect(201, docs.append(officer, id, 2));
    JsonObject version = expect(201, docs.addVersion(youthWorker, id)).json();
    assertTrue(version.getString("id").matches("[0-9a-f]{32}"));
    assertEquals(2, version.getLong("seq"));
    assertEquals(youthWorker.id(), version.getString("authorUserId"));
    assertEquals(youthWorker.deviceId, version.getString("authorDeviceId"));
    expect(201, docs.append(officer, id, 3));
    JsonObject later = expect(201, docs.addVersion(officer, id)).json();
    assertEquals(3, later.getLong("seq"));
    JsonArray versions = expect(200, docs.versions(officer, id)).json().getJsonArray("versions");
    assertEquals(
        List.of(version.getString("id"), later.getString("id")),
        versions.stream().map(v -> ((JsonObject) v).getString("id")).toList());
    assertEquals(version, versions.getJsonObject(0));
  }

  @Test
  void theKeyringOfTheCurrentEpochIsWrittenOnce() {
    byte[] ring = sealed(1);
    assertEquals(1, expect(201, docs.putKeyring(officer, 1, ring)).json().getLong("epoch"));
    Api.Response again = docs.putKeyring(youthWorker, 1, sealed(1));
    assertEquals(409, again.status(), again.toString());
    assertEquals("keyring-exists", again.errorCode());
    JsonObject stored = expect(200, docs.keyring(youthWorker, 1)).json();
    assertEquals(1, stored.getLong("epoch"));
    assertArrayEquals(ring, unb64(stored.getString("ciphertext")));

    Api.Response old = docs.putKeyring(officer, 0, sealed(1));
    assertEquals(409, old.status(), old.toString());
    assertEquals("wrong-epoch", old.errorCode());
    assertEquals(
        1, old.json().getJsonObject("error").getJsonObject("details").getLong("currentEpoch"));
    assertEquals("wrong-epoch", docs.putKeyring(officer, 2, sealed(1)).errorCode());
    Api.Response missing = docs.keyring(officer, 0);
    assertEquals(404, missing.status(), missing.toString());
    assertEquals("keyring-not-found", missing.errorCode());
  }

  @Test
  void nonMembersGetChannelNotFoundEverywhere() {
    String id = docs.created(officer);
    Person outsider = net.person("Outsider", "youth-work", 2, 1);
    for (Api.Response refused :
        List.of(
            net.api().get(docs.base(), outsider.token()),
            docs.create(outsider, 0),
            docs.open(outsider, id),
            docs.updates(outsider, id, 0, 10),
            docs.append(outsider, id, 1),
            docs.snapshot(outsider, id, 1, sealed(1)),
            docs.addVersion(outsider, id),
            docs.versions(outsider, id),
            docs.putKeyring(outsider, 1, sealed(1)),
            docs.keyring(outsider, 1))) {
      assertEquals(404, refused.status(), refused.toString());
      assertEquals("channel-not-found", refused.errorCode());
    }
    // A document of another channel is not found through this one.
    String otherChannel = outsider.createChannel(policy(2, 90), "case");
    DocumentCalls other = new DocumentCalls(net, otherChannel);
    String foreign = other.created(outsider);
    Api.Response crossed = docs.open(officer, foreign);
    assertEquals(404, crossed.status(), crossed.toString());
    assertEquals("document-not-found", crossed.errorCode());
    assertEquals("document-not-found", docs.append(officer, foreign, 1).errorCode());
    assertEquals("document-not-found", docs.open(officer, "0".repeat(32)).errorCode());
  }

  @Test
  void aMemberWhoseTierWasLoweredGetsPolicyNotMetWithTheRule() {
    String id = docs.created(officer);
    expect(
        200,
        net.api()
            .put(
                "/api/v1/users/" + youthWorker.id() + "/tier",
                net.admin.accessToken(),
                new JsonObject().put("tier", "T1").put("reason", "left the programme")));
    youthWorker.signIn();
    for (Api.Response refused :
        List.of(
            docs.open(youthWorker, id),
            docs.append(youthWorker, id, 1),
            docs.create(youthWorker, 0))) {
      assertEquals(403, refused.status(), refused.toString());
      assertEquals("policy-not-met", refused.errorCode());
      JsonObject details = refused.json().getJsonObject("error").getJsonObject("details");
      assertEquals("min-tier", details.getString("rule"));
      assertEquals(youthWorker.id(), details.getString("userId"));
    }
    expect(200, docs.open(officer, id));
  }

  @Test
  void malformedBodiesGetErrorsNamingTheProblem() {
    String id = docs.created(officer);
    String updates = docs.base() + "/" + id + "/updates";
    Api.Response notJson =
        net.api().send("POST", updates, officer.token(), "{not json", java.util.Map.of());
    assertEquals(400, notJson.status(), notJson.toString());
    assertEquals("malformed-json", notJson.errorCode());

    JsonObject valid =
        new JsonObject()
            .put("generation", 0)
            .put("clientSeq", 1)
            .put("ciphertext", b64(sealed(1)))
            .put("signature", signature());
    assertField(
        net.api().post(updates, officer.token(), valid.copy().put("ciphertext", "@@not base64")),
        "ciphertext");
    assertField(
        net.api().post(updates, officer.token(), without(valid, "ciphertext")), "ciphertext");
    assertField(net.api().post(updates, officer.token(), without(valid, "signature")), "signature");
    assertField(net.api().post(updates, officer.token(), without(valid, "clientSeq")), "clientSeq");
    assertField(
        net.api().post(updates, officer.token(), valid.copy().put("clientSeq", 0)), "clientSeq");
    assertField(
        net.api().post(updates, officer.token(), without(valid, "generation")), "generation");
    assertField(
        net.api().post(updates, officer.token(), valid.copy().put("generation", 7)), "generation");
    assertField(
        net.api().post(updates, officer.token(), valid.copy().put("signature", b64(new byte[10]))),
        "signature");
    // Not the sealed shape: an unpadded plaintext would leak its exact size.
    assertField(
        net.api()
            .post(updates, officer.token(), valid.copy().put("ciphertext", b64(new byte[100]))),
        "ciphertext");
    assertField(
        net.api().post(docs.base(), officer.token(), new JsonObject().put("generation", 0)),
        "header");
    Api.Response badEpoch = docs.keyring(officer, -1);
    assertEquals(400, badEpoch.status(), badEpoch.toString());
    Api.Response badId = docs.open(officer, "not-an-id");
    assertEquals(404, badId.status(), badId.toString());
    assertEquals("document-not-found", badId.errorCode());
    assertEquals(
        0, expect(200, docs.updates(officer, id, 0, 10)).json().getJsonArray("updates").size());
  }

  @Test
  void nothingStoredHoldsMoreThanTheDocumentedFields() {
    String id = docs.created(officer);
    expect(201, docs.append(officer, id, 1));
    expect(201, docs.snapshot(officer, id, 1, sealed(1)));
    expect(201, docs.addVersion(officer, id));
    expect(201, docs.putKeyring(officer, 1, sealed(1)));
    assertFields(
        "documents",
        Set.of(
            "_id",
            "ch",
            "generation",
            "header",
            "createdBy",
            "createdAt",
            "updatedAt",
            "lastSeq",
            "snapshotSeq",
            "previousSnapshotSeq",
            "clients"));
    assertFields("channel_documents", Set.of("_id", "doc"));
    assertFields(
        "document_updates",
        Set.of(
            "_id",
            "doc",
            "seq",
            "generation",
            "authorUserId",
            "authorDeviceId",
            "clientSeq",
            "ciphertext",
            "signature",
            "createdAt"));
    assertFields(
        "document_snapshots",
        Set.of(
            "_id",
            "doc",
            "coversSeq",
            "generation",
            "authorUserId",
            "authorDeviceId",
            "ciphertext",
            "signature",
            "createdAt"));
    assertFields(
        "document_versions",
        Set.of(
            "_id",
            "doc",
            "id",
            "seq",
            "generation",
            "authorUserId",
            "authorDeviceId",
            "ciphertext",
            "signature",
            "createdAt"));
    assertFields("document_keyrings", Set.of("_id", "ch", "epoch", "ciphertext", "createdAt"));
  }

  private void assertFields(String collection, Set<String> expected) {
    List<org.bson.Document> stored =
        org.liaison.server.testing.TestServer.await(
            org.liaison.server.store.Mongo.list(
                net.server.server().store().collection(collection).find()));
    assertFalse(stored.isEmpty(), collection);
    for (org.bson.Document d : stored) {
      assertEquals(expected, d.keySet(), collection);
    }
  }

  private static JsonObject without(JsonObject body, String field) {
    JsonObject copy = body.copy();
    copy.remove(field);
    return copy;
  }

  private static void assertField(Api.Response response, String field) {
    assertEquals(400, response.status(), response.toString());
    assertEquals("validation-failed", response.errorCode());
    assertEquals(
        field, response.json().getJsonObject("error").getJsonObject("details").getString("field"));
  }
}
