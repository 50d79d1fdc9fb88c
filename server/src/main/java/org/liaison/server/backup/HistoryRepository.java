package org.liaison.server.backup;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;
import org.bson.Document;
import org.liaison.server.store.Mongo;
import org.liaison.server.store.Store;

/**
 * Members' history chunks in {@code history_chunks}, keyed by user, channel and chunk id; a user's
 * chunks by the {@code userId} index. A listing leaves the bytes out.
 */
public final class HistoryRepository {
  private final MongoCollection<Document> chunks;

  public HistoryRepository(Store store) {
    this.chunks = store.collection("history_chunks");
  }

  public Future<Void> createIndexes() {
    return Mongo.first(chunks.createIndex(Indexes.ascending("userId"))).mapEmpty();
  }

  /** The user's chunks without their bytes; {@code size} is kept beside them for this. */
  public Future<List<Summary>> ofUser(String userId) {
    return Mongo.list(
            chunks.find(Filters.eq("userId", userId)).projection(Projections.exclude("ciphertext")))
        .map(
            docs ->
                docs.stream()
                    .map(d -> new Summary(HistoryChunk.fromDocument(d), d.getInteger("size", 0)))
                    .toList());
  }

  public Future<Optional<HistoryChunk>> find(String userId, String channelId, String chunkId) {
    return Mongo.optional(
            chunks.find(Filters.eq("_id", HistoryChunk.key(userId, channelId, chunkId))).first())
        .map(d -> d.map(HistoryChunk::fromDocument));
  }

  public Future<Void> replace(HistoryChunk chunk) {
    return Mongo.first(
            chunks.replaceOne(
                Filters.eq(
                    "_id", HistoryChunk.key(chunk.userId(), chunk.channelId(), chunk.chunkId())),
                chunk.toDocument(),
                new ReplaceOptions().upsert(true)))
        .mapEmpty();
  }

  /** A listed chunk and its stored size. */
  public record Summary(HistoryChunk chunk, int size) {}
}
