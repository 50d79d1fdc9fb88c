package org.liaison.server.documents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.liaison.server.documents.DocumentCalls.sealed;
import static org.liaison.server.testing.ChannelFixture.expect;
import static org.liaison.server.testing.ChannelFixture.policy;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.server.store.Mongo;
import org.liaison.server.testing.ChannelFixture;
import org.liaison.server.testing.ChannelFixture.Person;
import org.liaison.server.testing.TestServer;

/**
 * The document record's per-device marks are raised after each insert; if that write never landed
 * (a crash between the two), the updates themselves still decide: a resend collides on the unique
 * (document, device, clientSeq) and is answered with its stored seq, and compaction copies the
 * marks of the updates it deletes into the record first.
 */
class DocumentMarksTest {
  @TempDir Path dataDir;

  @Test
  void lostMarksAreRecoveredFromTheUpdatesThemselves() {
    try (ChannelFixture net = new ChannelFixture(dataDir)) {
      Person officer = net.person("Officer", "law-enforcement", 2, 3);
      String channel = officer.createChannel(policy(2, 90), "case");
      DocumentCalls docs = new DocumentCalls(net, channel);
      String id = docs.created(officer);
      for (int c = 1; c <= 4; c++) {
        expect(201, docs.append(officer, id, c));
      }
      forgetMarks(net, id);
      net.server.restart();
      officer.signIn();

      // The record says lastSeq 4 but knows no marks: the resend collides and is recognised.
      JsonObject resent = expect(200, docs.append(officer, id, 1)).json();
      assertTrue(resent.getBoolean("duplicate"));
      assertEquals(1, resent.getLong("seq"));

      forgetMarks(net, id);
      net.server.restart();
      officer.signIn();
      expect(201, docs.snapshot(officer, id, 2, sealed(1)));
      expect(201, docs.snapshot(officer, id, 3, sealed(1)));
      // Updates 1..2 are gone; their marks went into the record before they did.
      Document marks =
          record(net, id).get("clients", Document.class).get(officer.deviceId, Document.class);
      assertEquals(2L, ((Number) marks.get("clientSeq")).longValue());
      assertEquals(2L, ((Number) marks.get("seq")).longValue());
    }
  }

  private static void forgetMarks(ChannelFixture net, String id) {
    TestServer.await(
        Mongo.first(
            net.server
                .server()
                .store()
                .collection("documents")
                .updateOne(Filters.eq("_id", id), Updates.set("clients", new Document()))));
  }

  private static Document record(ChannelFixture net, String id) {
    return TestServer.await(
            Mongo.optional(
                net.server.server().store().collection("documents").find(Filters.eq("_id", id))))
        .orElseThrow();
  }
}
