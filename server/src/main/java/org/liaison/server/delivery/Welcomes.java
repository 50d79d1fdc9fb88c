package org.liaison.server.delivery;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Collection;
import java.util.List;
import org.bson.Document;
import org.bson.types.Binary;
import org.liaison.server.api.Base64Field;
import org.liaison.server.store.Mongo;
import org.liaison.server.store.Store;

/**
 * Welcomes waiting for devices that a commit added. One document per Welcome ({@code channel:seq}),
 * and per device an inbox document listing the ones it has not acknowledged: both read by {@code
 * _id}.
 */
public final class Welcomes {
  private final MongoCollection<Document> welcomes;
  private final MongoCollection<Document> inboxes;

  Welcomes(Store store) {
    this.welcomes = store.collection("welcomes");
    this.inboxes = store.collection("device_inbox");
  }

  /** A Welcome as a device receives it (REST item and realtime frame). */
  public record Pending(String channelId, long seq, long epoch, byte[] welcome) {
    public JsonObject toJson() {
      return new JsonObject()
          .put("channelId", channelId)
          .put("seq", seq)
          .put("epoch", epoch)
          .put("welcome", Base64Field.encode(welcome));
    }
  }

  Future<Void> store(Pending welcome, Collection<String> deviceIds) {
    String id = LogEntry.id(welcome.channelId(), welcome.seq());
    Document doc =
        new Document("_id", id)
            .append("channelId", welcome.channelId())
            .append("seq", welcome.seq())
            .append("epoch", welcome.epoch())
            .append("welcome", new Binary(welcome.welcome()));
    return Mongo.first(welcomes.insertOne(doc))
        .compose(
            r ->
                Future.all(
                    deviceIds.stream()
                        .map(
                            d ->
                                Mongo.first(
                                    inboxes.updateOne(
                                        Filters.eq("_id", d),
                                        Updates.addToSet("items", id),
                                        new UpdateOptions().upsert(true))))
                        .toList()))
        .mapEmpty();
  }

  public Future<List<Pending>> pending(String deviceId) {
    return Mongo.optional(inboxes.find(Filters.eq("_id", deviceId)).first())
        .compose(
            inbox -> {
              List<String> ids =
                  inbox.map(d -> d.getList("items", String.class, List.of())).orElse(List.of());
              if (ids.isEmpty()) {
                return Future.succeededFuture(List.<Pending>of());
              }
              return Mongo.list(welcomes.find(Filters.in("_id", ids)))
                  .map(
                      docs ->
                          docs.stream()
                              .map(
                                  d ->
                                      new Pending(
                                          d.getString("channelId"),
                                          d.getLong("seq"),
                                          d.getLong("epoch"),
                                          d.get("welcome", Binary.class).getData()))
                              .sorted(java.util.Comparator.comparingLong(Pending::seq))
                              .toList());
            });
  }

  /** A device that processed a channel up to {@code seq} no longer needs Welcomes before it. */
  Future<Void> acknowledge(String deviceId, String channelId, long seq) {
    return Mongo.optional(inboxes.find(Filters.eq("_id", deviceId)).first())
        .compose(
            inbox -> {
              List<String> done =
                  inbox
                      .map(d -> d.getList("items", String.class, List.of()))
                      .orElse(List.of())
                      .stream()
                      .filter(id -> id.startsWith(channelId + ":"))
                      .filter(id -> Long.parseLong(id.substring(channelId.length() + 1)) <= seq)
                      .toList();
              if (done.isEmpty()) {
                return Future.succeededFuture();
              }
              return Mongo.first(
                      inboxes.updateOne(
                          Filters.eq("_id", deviceId), Updates.pullAll("items", done)))
                  .mapEmpty();
            });
  }
}
