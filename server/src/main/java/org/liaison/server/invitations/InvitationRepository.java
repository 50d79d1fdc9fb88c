package org.liaison.server.invitations;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.vertx.core.Future;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.liaison.server.store.Mongo;
import org.liaison.server.store.Store;

final class InvitationRepository {
  private final MongoCollection<Document> invitations;

  InvitationRepository(Store store) {
    this.invitations = store.collection("invitations");
  }

  Future<Void> createIndexes() {
    return Mongo.first(
            invitations.createIndex(Indexes.ascending("codeHash"), new IndexOptions().unique(true)))
        .mapEmpty();
  }

  Future<Invitation> insert(Invitation invitation) {
    return Mongo.first(invitations.insertOne(invitation.toDocument())).map(r -> invitation);
  }

  Future<Optional<Invitation>> byCodeHash(String codeHash) {
    return Mongo.optional(invitations.find(Filters.eq("codeHash", codeHash)).first())
        .map(d -> d.map(Invitation::fromDocument));
  }

  /**
   * Pending invitations for people (the bootstrap one has no e-mail and is not listed), newest
   * first; of one city when given.
   */
  Future<List<Invitation>> pending(Optional<String> cityId, int limit) {
    Bson filter = Filters.and(Filters.eq("status", Invitation.PENDING), Filters.ne("email", null));
    Bson scoped = cityId.map(c -> Filters.and(filter, Filters.eq("cityId", c))).orElse(filter);
    return Mongo.list(invitations.find(scoped).sort(Sorts.descending("createdAt")).limit(limit))
        .map(found -> found.stream().map(Invitation::fromDocument).toList());
  }

  Future<Optional<Invitation>> byId(String id) {
    return Mongo.optional(invitations.find(Filters.eq("_id", id)).first())
        .map(d -> d.map(Invitation::fromDocument));
  }

  /** Atomically moves a pending invitation to {@code revoked}; empty if it was not pending. */
  Future<Optional<Invitation>> revoke(String id, String userId) {
    return Mongo.optional(
            invitations.findOneAndUpdate(
                Filters.and(Filters.eq("_id", id), Filters.eq("status", Invitation.PENDING)),
                Updates.combine(
                    Updates.set("status", Invitation.REVOKED),
                    Updates.set("revokedBy", userId),
                    Updates.set("revokedAt", new Date())),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER)))
        .map(d -> d.map(Invitation::fromDocument));
  }

  /**
   * Records how the e-mail for this code went. Matched on the code's hash too: a delivery that ends
   * after "send again" replaced the code does not overwrite the newer one's status.
   */
  Future<Void> setDelivery(String id, String codeHash, Invitation.Delivery delivery) {
    return Mongo.optional(
            invitations.updateOne(
                Filters.and(Filters.eq("_id", id), Filters.eq("codeHash", codeHash)),
                Updates.set("delivery", delivery.toDocument())))
        .mapEmpty();
  }

  /**
   * Gives a pending invitation a new code and a new expiry (the old code stops working) for sending
   * it again; empty if it was not pending.
   */
  Future<Optional<Invitation>> renew(
      String id, String codeHash, java.time.Instant expiresAt, Invitation.Delivery delivery) {
    return Mongo.optional(
            invitations.findOneAndUpdate(
                Filters.and(Filters.eq("_id", id), Filters.eq("status", Invitation.PENDING)),
                Updates.combine(
                    Updates.set("codeHash", codeHash),
                    Updates.set("expiresAt", Date.from(expiresAt)),
                    Updates.set("delivery", delivery.toDocument())),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER)))
        .map(d -> d.map(Invitation::fromDocument));
  }

  /** A bootstrap invitation (no e-mail) that is still pending and unexpired. */
  Future<Boolean> anyPendingBootstrap(java.time.Instant now) {
    return Mongo.optional(
            invitations
                .find(
                    Filters.and(
                        Filters.eq("status", Invitation.PENDING),
                        Filters.eq("email", null),
                        Filters.gt("expiresAt", Date.from(now))))
                .first())
        .map(Optional::isPresent);
  }

  /** Atomically moves a pending invitation to {@code used}; empty if it was not pending. */
  Future<Optional<Invitation>> consume(String id, String userId) {
    return Mongo.optional(
            invitations.findOneAndUpdate(
                Filters.and(Filters.eq("_id", id), Filters.eq("status", Invitation.PENDING)),
                Updates.combine(
                    Updates.set("status", Invitation.USED),
                    Updates.set("usedBy", userId),
                    Updates.set("usedAt", new Date())),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER)))
        .map(d -> d.map(Invitation::fromDocument));
  }

  /** Gives an invitation back when the registration that consumed it could not be stored. */
  Future<Void> release(String id) {
    return Mongo.optional(
            invitations.updateOne(
                Filters.eq("_id", id),
                Updates.combine(
                    Updates.set("status", Invitation.PENDING),
                    Updates.unset("usedBy"),
                    Updates.unset("usedAt"))))
        .mapEmpty();
  }
}
