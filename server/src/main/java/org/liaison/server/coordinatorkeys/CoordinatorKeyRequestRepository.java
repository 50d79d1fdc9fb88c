package org.liaison.server.coordinatorkeys;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.Binary;
import org.liaison.server.store.Mongo;
import org.liaison.server.store.Store;

/**
 * {@code coordinator_key_requests}, keyed by the coordinator's user id: lookups are by {@code _id},
 * which both stores index; the pending list scans a collection with one document per coordinator.
 */
final class CoordinatorKeyRequestRepository {
  private static final int MAX_LIST = 500;
  private final MongoCollection<Document> requests;

  CoordinatorKeyRequestRepository(Store store) {
    this.requests = store.collection("coordinator_key_requests");
  }

  /** Replaces whatever the coordinator asked before: only their newest key is ever signed. */
  Future<CoordinatorKeyRequest> replace(CoordinatorKeyRequest request) {
    return Mongo.first(
            requests.replaceOne(
                Filters.eq("_id", request.userId()),
                request.toDocument(),
                new ReplaceOptions().upsert(true)))
        .map(r -> request);
  }

  Future<Optional<CoordinatorKeyRequest>> of(String userId) {
    return Mongo.optional(requests.find(Filters.eq("_id", userId)).first())
        .map(d -> d.map(CoordinatorKeyRequest::fromDocument));
  }

  Future<List<CoordinatorKeyRequest>> pending() {
    return Mongo.list(
            requests.find(Filters.eq("status", CoordinatorKeyRequest.PENDING)).limit(MAX_LIST))
        .map(found -> found.stream().map(CoordinatorKeyRequest::fromDocument).toList());
  }

  /**
   * Moves the request from pending to {@code status} only if it still asks for {@code publicKey}
   * (compare and set: a key replaced meanwhile is not signed by mistake); empty otherwise.
   */
  Future<Optional<CoordinatorKeyRequest>> decide(
      String userId, byte[] publicKey, String status, Bson details, String by, Instant at) {
    return Mongo.optional(
            requests.findOneAndUpdate(
                Filters.and(
                    Filters.eq("_id", userId),
                    Filters.eq("status", CoordinatorKeyRequest.PENDING),
                    Filters.eq("publicKey", new Binary(publicKey))),
                Updates.combine(
                    Updates.set("status", status),
                    Updates.set("decidedBy", by),
                    Updates.set("decidedAt", Date.from(at)),
                    details),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER)))
        .map(d -> d.map(CoordinatorKeyRequest::fromDocument));
  }

  /**
   * Replaces {@code before} with {@code after} only if the stored request is still {@code before}
   * (same key and status): a coordinator who asked again meanwhile keeps their new request.
   */
  Future<Boolean> replaceIf(CoordinatorKeyRequest before, CoordinatorKeyRequest after) {
    return Mongo.first(requests.replaceOne(sameAs(before), after.toDocument()))
        .map(r -> r.getModifiedCount() > 0);
  }

  /** Deletes {@code before} only if the stored request is still it. */
  Future<Boolean> deleteIf(CoordinatorKeyRequest before) {
    return Mongo.first(requests.deleteOne(sameAs(before))).map(r -> r.getDeletedCount() > 0);
  }

  private static Bson sameAs(CoordinatorKeyRequest request) {
    return Filters.and(
        Filters.eq("_id", request.userId()),
        Filters.eq("status", request.status()),
        Filters.eq("publicKey", new Binary(request.publicKey())));
  }
}
