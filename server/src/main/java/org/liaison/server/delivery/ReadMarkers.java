package org.liaison.server.delivery;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.vertx.core.Future;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.liaison.server.store.Mongo;
import org.liaison.server.store.Store;

/** Each device's last processed seq per channel, under {@code device:channel}; only moves up. */
public final class ReadMarkers {
  private final MongoCollection<Document> markers;

  ReadMarkers(Store store) {
    this.markers = store.collection("read_markers");
  }

  private static String id(String deviceId, String channelId) {
    return deviceId + ":" + channelId;
  }

  Future<Void> set(String deviceId, String channelId, long seq) {
    return Mongo.first(
            markers.updateOne(
                Filters.eq("_id", id(deviceId, channelId)),
                Updates.max("seq", seq),
                new UpdateOptions().upsert(true)))
        .mapEmpty();
  }

  /** Channel id to last acknowledged seq; channels never acknowledged are absent. */
  Future<Map<String, Long>> of(String deviceId, Collection<String> channelIds) {
    if (channelIds.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    List<String> ids = channelIds.stream().map(c -> id(deviceId, c)).toList();
    return Mongo.list(markers.find(Filters.in("_id", ids)))
        .map(
            docs -> {
              Map<String, Long> bySeq = new HashMap<>();
              for (Document d : docs) {
                bySeq.put(
                    d.getString("_id").substring(deviceId.length() + 1),
                    d.get("seq", Number.class).longValue());
              }
              return bySeq;
            });
  }
}
