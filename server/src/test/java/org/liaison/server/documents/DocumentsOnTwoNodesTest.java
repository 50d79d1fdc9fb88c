package org.liaison.server.documents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.liaison.server.testing.ChannelFixture.expect;
import static org.liaison.server.testing.ChannelFixture.policy;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.server.testing.ChannelFixture;
import org.liaison.server.testing.ChannelFixture.Person;
import org.liaison.server.testing.TestServer;

/**
 * Two nodes on one store, each with its own hints about a document: the store's keys keep the seqs
 * dense and distinct, a resend through the other node is recognised, and a node whose hints are
 * stale reads forward instead of refusing a clientSeq as a gap.
 */
class DocumentsOnTwoNodesTest {
  @TempDir Path dataDir;
  @TempDir Path secondDir;

  @Test
  void appendsThroughTwoNodesStayDenseAndIdempotent() throws Exception {
    try (ChannelFixture net = new ChannelFixture(dataDir);
        TestServer second =
            TestServer.start(
                secondDir,
                Map.of(
                    "MONGODB_URI", net.server.server().store().embeddedUri().orElseThrow(),
                    "LIAISON_SIGNING_KEY_FILE",
                        dataDir.resolve("jwt-signing-key.pem").toString()))) {
      Person officer = net.person("Officer", "law-enforcement", 2, 3);
      Person youthWorker = net.person("Youth Worker", "youth-work", 2, 3);
      String channel = officer.createChannel(policy(2, 90), "case");
      officer.add(channel, youthWorker);
      DocumentCalls nodeA = new DocumentCalls(net, channel);
      DocumentCalls nodeB = nodeA.via(second.api());
      String id = nodeA.created(officer);
      // Node B loads the document now; node A's appends below make its hints stale.
      expect(200, nodeB.open(youthWorker, id));
      String another = nodeB.created(youthWorker);

      int each = 30;
      CompletableFuture<Void> viaA =
          CompletableFuture.runAsync(
              () -> {
                for (int c = 1; c <= each; c++) {
                  expect(201, nodeA.append(officer, id, c));
                }
              });
      CompletableFuture<Void> viaB =
          CompletableFuture.runAsync(
              () -> {
                for (int c = 1; c <= each; c++) {
                  expect(201, nodeB.append(youthWorker, id, c));
                }
              });
      viaA.get();
      viaB.get();

      List<Long> seqs =
          expect(200, nodeA.updates(officer, id, 0, 500)).json().getJsonArray("updates").stream()
              .map(u -> ((JsonObject) u).getLong("seq"))
              .toList();
      assertEquals(2 * each, seqs.size());
      for (int i = 0; i < seqs.size(); i++) {
        assertEquals(i + 1, seqs.get(i));
      }
      JsonObject resent = expect(200, nodeB.append(officer, id, each)).json();
      assertTrue(resent.getBoolean("duplicate"));
      assertEquals(
          2 * each + 1, expect(201, nodeB.append(officer, id, each + 1)).json().getLong("seq"));
      assertEquals(
          List.of(id, another),
          expect(200, second.api().get(nodeA.base(), officer.token()))
              .json()
              .getJsonArray("documents")
              .stream()
              .map(d -> ((JsonObject) d).getString("id"))
              .toList());
    }
  }
}
