package org.liaison.server.accounts;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.liaison.server.organisations.Sector;
import org.liaison.server.store.Mongo;
import org.liaison.server.store.Store;

/** Users, keyed by id, with a unique index on the (lower-cased) e-mail address. */
public final class UserRepository {
  private final MongoCollection<Document> users;

  public UserRepository(Store store) {
    this.users = store.collection("users");
  }

  public Future<Void> createIndexes() {
    return Mongo.first(
            users.createIndex(Indexes.ascending("email"), new IndexOptions().unique(true)))
        .compose(v -> Mongo.first(users.createIndex(Indexes.ascending("deletedEmailHash"))))
        .mapEmpty();
  }

  /** Fails with a duplicate-key error (see {@link Mongo#isDuplicateKey}) if the e-mail is taken. */
  public Future<User> insert(User user) {
    return Mongo.first(users.insertOne(user.toDocument())).map(r -> user);
  }

  public Future<Optional<User>> byId(String id) {
    return Mongo.optional(users.find(Filters.eq("_id", id)).first())
        .map(d -> d.map(User::fromDocument));
  }

  public Future<List<User>> byIds(java.util.Collection<String> ids) {
    if (ids.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return Mongo.list(users.find(Filters.in("_id", ids)))
        .map(docs -> docs.stream().map(User::fromDocument).toList());
  }

  /**
   * Every active user, up to {@code limit}: a bounded administrative scan (a broadcast's audience),
   * never on a hot path.
   */
  public Future<List<User>> active(int limit) {
    return Mongo.list(users.find(Filters.eq("status", UserStatus.ACTIVE.wire())).limit(limit))
        .map(docs -> docs.stream().map(User::fromDocument).toList());
  }

  public Future<Optional<User>> byEmail(String email) {
    return Mongo.optional(users.find(Filters.eq("email", email)).first())
        .map(d -> d.map(User::fromDocument));
  }

  public Future<Boolean> any() {
    return Mongo.optional(users.find().limit(1).first()).map(Optional::isPresent);
  }

  public record Filter(
      Optional<String> cityId, Optional<Sector> sector, Optional<Tier> tier, int limit) {}

  public Future<List<User>> list(Filter filter) {
    List<Bson> conditions = new ArrayList<>();
    filter.cityId().ifPresent(c -> conditions.add(Filters.eq("cityId", c)));
    filter.sector().ifPresent(s -> conditions.add(Filters.eq("sector", s.wire())));
    filter.tier().ifPresent(t -> conditions.add(Filters.eq("tier", t.name())));
    Bson query = conditions.isEmpty() ? new Document() : Filters.and(conditions);
    return Mongo.list(users.find(query).sort(Sorts.ascending("displayName")).limit(filter.limit()))
        .map(docs -> docs.stream().map(User::fromDocument).toList());
  }

  /**
   * Sets one field if it still holds {@code expected}, returning the updated user; empty if the
   * user is gone or changed meanwhile (the caller re-reads and decides again).
   */
  public Future<Optional<User>> compareAndSet(
      String id, String field, String expected, String value) {
    return Mongo.optional(
            users.findOneAndUpdate(
                Filters.and(Filters.eq("_id", id), Filters.eq(field, expected)),
                Updates.set(field, value),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER)))
        .map(d -> d.map(User::fromDocument));
  }

  /** Replaces the password verifier of a user who is not deleted; empty if there is none. */
  public Future<Optional<User>> setPassword(String id, PasswordHash password) {
    return Mongo.optional(
            users.findOneAndUpdate(
                Filters.and(Filters.eq("_id", id), Filters.ne("status", UserStatus.DELETED.wire())),
                Updates.set("password", password.toDocument()),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER)))
        .map(d -> d.map(User::fromDocument));
  }

  /** How many active network admins there are. */
  public Future<Long> activeAdmins() {
    return Mongo.first(
        users.countDocuments(
            Filters.and(
                Filters.eq("role", Role.NETWORK_ADMIN.wire()),
                Filters.eq("status", UserStatus.ACTIVE.wire()))));
  }

  /**
   * Marks a user deleted if their status still is {@code expectedStatus}: the status becomes {@code
   * deleted}, the name {@value #DELETED_NAME}, and the e-mail address is replaced by a placeholder
   * (so the address is free to be invited again); only its hash stays, to answer a later sign-in
   * with {@code account-deleted}. Empty if the user changed meanwhile.
   */
  public Future<Optional<User>> markDeleted(String id, String expectedStatus, String emailHash) {
    return Mongo.optional(
            users.findOneAndUpdate(
                Filters.and(Filters.eq("_id", id), Filters.eq("status", expectedStatus)),
                Updates.combine(
                    Updates.set("status", UserStatus.DELETED.wire()),
                    Updates.set("displayName", DELETED_NAME),
                    Updates.set("email", "deleted:" + id),
                    Updates.set("deletedEmailHash", emailHash)),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER)))
        .map(d -> d.map(User::fromDocument));
  }

  /** The deleted account that had this e-mail address (by its hash), if any. */
  public Future<Optional<User>> deletedByEmailHash(String emailHash) {
    return Mongo.optional(
            users
                .find(
                    Filters.and(
                        Filters.eq("deletedEmailHash", emailHash),
                        Filters.eq("status", UserStatus.DELETED.wire())))
                .first())
        .map(d -> d.map(User::fromDocument));
  }

  /** What others see in place of a deleted member's name. */
  public static final String DELETED_NAME = "Deleted member";
}
