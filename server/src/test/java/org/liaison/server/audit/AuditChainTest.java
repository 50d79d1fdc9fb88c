package org.liaison.server.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.server.store.Mongo;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.Network;
import org.liaison.server.testing.TestServer;

class AuditChainTest {
  @TempDir Path dataDir;

  private static JsonObject verify(Api api, Network.Member admin) {
    Api.Response response = api.get("/api/v1/audit/verify", admin.accessToken());
    assertEquals(200, response.status(), response.toString());
    return response.json();
  }

  @Test
  void editingDeletingOrReorderingAnEntryIsDetected() {
    try (TestServer test = TestServer.start(dataDir)) {
      Api api = test.api();
      Network network = new Network(api);
      Network.Member admin = network.registerAdmin(test.bootstrapCode(), "admin@network.example");
      String city = network.createCity(admin, "Beirut", "LB");
      network.createOrganisation(admin, city, "Beirut Municipality", "municipality");
      network.createOrganisation(admin, city, "Beirut Youth", "youth-work");
      JsonObject intact = verify(api, admin);
      assertTrue(intact.getBoolean("valid"));
      assertEquals(4, intact.getLong("entries"));

      var audit = test.server().store().collection("audit");
      TestServer.await(
          Mongo.first(
              audit.updateOne(Filters.eq("_id", 3L), Updates.set("actorId", "someone else"))));
      JsonObject edited = verify(api, admin);
      assertFalse(edited.getBoolean("valid"));
      assertEquals(3, edited.getLong("brokenAt"));
      assertEquals("content", edited.getString("reason"));

      TestServer.await(Mongo.first(audit.deleteOne(Filters.eq("_id", 3L))));
      JsonObject deleted = verify(api, admin);
      assertFalse(deleted.getBoolean("valid"));
      assertEquals(3, deleted.getLong("brokenAt"));
      assertEquals("missing", deleted.getString("reason"));
    }
  }

  @Test
  void recomputedHashDoesNotHideAnEditBecauseTheNextLinkBreaks() {
    try (TestServer test = TestServer.start(dataDir)) {
      Api api = test.api();
      Network network = new Network(api);
      Network.Member admin = network.registerAdmin(test.bootstrapCode(), "admin@network.example");
      network.createCity(admin, "Tunis", "TN");
      network.createCity(admin, "Sfax", "TN");
      var audit = test.server().store().collection("audit");
      // A forger rewrites entry 2 consistently (new content, recomputed hash)...
      AuditEntry original =
          AuditEntry.fromDocument(
              TestServer.await(Mongo.first(audit.find(Filters.eq("_id", 2L)).first())));
      AuditEntry forged =
          AuditEntry.seal(
              2,
              original.at(),
              "forger",
              original.action(),
              original.targetId(),
              original.cityId(),
              original.details(),
              original.prevHash());
      TestServer.await(Mongo.first(audit.replaceOne(Filters.eq("_id", 2L), forged.toDocument())));
      // ...but entry 3 still names the old hash.
      JsonObject result = verify(api, admin);
      assertFalse(result.getBoolean("valid"));
      assertEquals(3, result.getLong("brokenAt"));
      assertEquals("link", result.getString("reason"));
    }
  }

  @Test
  void twoNodesAppendingConcurrentlyKeepOneUnbrokenChain() {
    try (TestServer test = TestServer.start(dataDir)) {
      // Two logs over one store behave like two cluster nodes: separate in-memory state.
      AuditLog nodeA = new AuditLog(test.server().store(), Clock.systemUTC());
      AuditLog nodeB = new AuditLog(test.server().store(), Clock.systemUTC());
      List<Future<AuditEntry>> appends = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        AuditLog node = i % 2 == 0 ? nodeA : nodeB;
        appends.add(node.append("actor", "test.event", "t" + i, null, Map.of("i", "" + i)));
      }
      TestServer.await(Future.all(appends));
      JsonObject result = TestServer.await(nodeA.verify());
      assertTrue(result.getBoolean("valid"), result.encode());
      assertEquals(40, result.getLong("entries"));
      assertEquals(
          40, appends.stream().map(f -> f.result().seq()).distinct().count(), "no slot twice");
    }
  }
}
