package org.liaison.server.backup;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.vertx.core.Future;
import java.util.Optional;
import org.bson.Document;
import org.liaison.server.store.Mongo;
import org.liaison.server.store.Store;

/** One backup per user in {@code key_backups}, keyed by the user id: a new one replaces the old. */
public final class KeyBackupRepository {
  private final MongoCollection<Document> backups;

  public KeyBackupRepository(Store store) {
    this.backups = store.collection("key_backups");
  }

  /** Stores the backup; true when it replaced an earlier one. */
  public Future<Boolean> replace(KeyBackup backup) {
    return Mongo.first(
            backups.replaceOne(
                Filters.eq("_id", backup.userId()),
                backup.toDocument(),
                new ReplaceOptions().upsert(true)))
        .map(result -> result.getMatchedCount() > 0);
  }

  public Future<Optional<KeyBackup>> ofUser(String userId) {
    return Mongo.optional(backups.find(Filters.eq("_id", userId)).first())
        .map(d -> d.map(KeyBackup::fromDocument));
  }
}
