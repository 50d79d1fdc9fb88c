package org.liaison.server.delivery;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.InsertManyOptions;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bson.Document;
import org.liaison.server.store.Mongo;
import org.liaison.server.store.Store;

/**
 * The durable log of every channel: entries under {@code _id = channel:seq}, so a range is an
 * {@code $in} over dense ids (an index lookup on both stores, where a range query would scan the
 * embedded store's whole collection). A unique index on (channel, sender device, client message id)
 * makes sends idempotent across nodes.
 */
public final class ChannelLog {
  private final MongoCollection<Document> log;
  private final EntryCache cache;

  ChannelLog(Store store, int cacheEntries, long cacheBytes) {
    this.log = store.collection("channel_log");
    this.cache = new EntryCache(cacheEntries, cacheBytes);
  }

  Future<Void> createIndexes() {
    return Mongo.first(
            log.createIndex(
                Indexes.ascending("ch", "senderDeviceId", "cmid"),
                new IndexOptions().unique(true).name("idempotent-send")))
        .mapEmpty();
  }

  /** How an ordered insert went: the first {@code inserted} entries are in the log. */
  record Inserted(int inserted, boolean duplicateKey) {}

  /**
   * Inserts in order. A duplicate key stops the insert there: another node took that seq, or the
   * entry is a retried send; the caller tells which.
   */
  Future<Inserted> insert(List<LogEntry> entries) {
    List<Document> docs = entries.stream().map(LogEntry::toDocument).toList();
    return Mongo.optional(log.insertMany(docs, new InsertManyOptions().ordered(true)))
        .map(
            r -> {
              entries.forEach(cache::put);
              return new Inserted(entries.size(), false);
            })
        .recover(
            e -> {
              int inserted = insertedBefore(e, entries.size());
              if (inserted < 0) {
                return Future.failedFuture(e);
              }
              entries.subList(0, inserted).forEach(cache::put);
              return Future.succeededFuture(new Inserted(inserted, true));
            });
  }

  /** For a duplicate-key failure, how many entries went in before it; -1 for other failures. */
  private static int insertedBefore(Throwable e, int total) {
    if (e instanceof MongoBulkWriteException bulk) {
      var errors = bulk.getWriteErrors();
      if (!errors.isEmpty()
          && errors.get(0).getCategory() == ErrorCategory.DUPLICATE_KEY
          && errors.get(0).getIndex() < total) {
        return errors.get(0).getIndex();
      }
      return -1;
    }
    return Mongo.isDuplicateKey(e) && total == 1 ? 0 : -1;
  }

  /**
   * The entries {@code from, from+1, …} that exist, up to {@code count}, stopping at the first one
   * that does not: a contiguous run, from the cache where it can, the store for the rest.
   */
  Future<List<LogEntry>> range(String channelId, long from, int count) {
    List<LogEntry> found = new ArrayList<>();
    long seq = from;
    while (seq < from + count) {
      LogEntry hit = cache.get(LogEntry.id(channelId, seq));
      if (hit == null) {
        break;
      }
      found.add(hit);
      seq++;
    }
    if (seq == from + count) {
      return Future.succeededFuture(found);
    }
    List<String> ids = new ArrayList<>();
    for (long s = seq; s < from + count; s++) {
      ids.add(LogEntry.id(channelId, s));
    }
    long firstMissing = seq;
    return Mongo.list(log.find(Filters.in("_id", ids)))
        .map(
            docs -> {
              Map<Long, LogEntry> bySeq = new HashMap<>();
              for (Document d : docs) {
                LogEntry entry = LogEntry.fromDocument(d);
                bySeq.put(entry.seq(), entry);
                cache.put(entry);
              }
              for (long s = firstMissing; bySeq.containsKey(s); s++) {
                found.add(bySeq.get(s));
              }
              return found;
            });
  }

  Future<Optional<LogEntry>> byClientMessageId(String channelId, String deviceId, String cmid) {
    return Mongo.optional(
            log.find(
                    Filters.and(
                        Filters.eq("ch", channelId),
                        Filters.eq("senderDeviceId", deviceId),
                        Filters.eq("cmid", cmid)))
                .first())
        .map(d -> d.map(LogEntry::fromDocument));
  }

  Future<Void> delete(String channelId, List<Long> seqs) {
    if (seqs.isEmpty()) {
      return Future.succeededFuture();
    }
    List<String> ids = seqs.stream().map(s -> LogEntry.id(channelId, s)).toList();
    ids.forEach(cache::remove);
    return Mongo.first(log.deleteMany(Filters.in("_id", ids))).mapEmpty();
  }
}
