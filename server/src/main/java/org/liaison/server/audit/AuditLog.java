package org.liaison.server.audit;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.LongStream;
import org.bson.Document;
import org.liaison.server.store.Mongo;
import org.liaison.server.store.Store;

/**
 * The append-only, hash-chained audit log. Entry {@code n} is stored under {@code _id = n}; an
 * append inserts {@code head + 1}, and a duplicate-key error means another writer (this node or
 * another) took that slot, so the head is re-read and the append retried. No transactions needed,
 * and every read is by {@code _id}, which both stores index.
 */
public final class AuditLog {
  private static final int MAX_RETRIES = 50;
  private static final int VERIFY_BATCH = 200;

  private final MongoCollection<Document> entries;
  private final MongoCollection<Document> meta;
  private final Clock clock;

  /** Appends from this node run one after another; other nodes are handled by the retry. */
  private Future<?> tail = Future.succeededFuture();

  private record Head(long seq, String hash) {}

  public AuditLog(Store store, Clock clock) {
    this.entries = store.collection("audit");
    this.meta = store.collection("audit_meta");
    this.clock = clock;
  }

  /** Records a change; completes once it is durably in the chain. */
  public synchronized Future<AuditEntry> append(
      String actorId, String action, String targetId, String cityId, Map<String, String> details) {
    Future<AuditEntry> appended =
        tail.transform(ignored -> attempt(actorId, action, targetId, cityId, details, MAX_RETRIES));
    tail = appended;
    return appended;
  }

  private Future<AuditEntry> attempt(
      String actorId,
      String action,
      String targetId,
      String cityId,
      Map<String, String> details,
      int retriesLeft) {
    return head()
        .compose(
            head -> {
              AuditEntry entry =
                  AuditEntry.seal(
                      head.seq() + 1,
                      clock.instant(),
                      actorId,
                      action,
                      targetId,
                      cityId,
                      details,
                      head.hash());
              return Mongo.first(entries.insertOne(entry.toDocument()))
                  .compose(
                      r ->
                          Mongo.first(
                                  meta.updateOne(
                                      Filters.eq("_id", "head"),
                                      Updates.max("seq", entry.seq()),
                                      new UpdateOptions().upsert(true)))
                              .map(entry))
                  .recover(
                      e ->
                          Mongo.isDuplicateKey(e) && retriesLeft > 0
                              ? attempt(actorId, action, targetId, cityId, details, retriesLeft - 1)
                              : Future.failedFuture(e));
            });
  }

  /**
   * The last entry: start from the hint in {@code audit_meta} (updated after each append, so at
   * most a few behind) and walk forward by {@code _id} until the next slot is empty.
   */
  private Future<Head> head() {
    return Mongo.optional(meta.find(Filters.eq("_id", "head")).first())
        .compose(
            hint -> {
              long from = hint.map(d -> ((Number) d.get("seq")).longValue()).orElse(0L);
              return walk(from);
            });
  }

  private Future<Head> walk(long seq) {
    if (seq == 0) {
      return byId(1)
          .compose(
              first ->
                  first.isEmpty()
                      ? Future.succeededFuture(new Head(0, AuditEntry.GENESIS))
                      : walk(1));
    }
    return byId(seq)
        .compose(
            current ->
                byId(seq + 1)
                    .compose(
                        next ->
                            next.isPresent()
                                ? walk(seq + 1)
                                : Future.succeededFuture(
                                    new Head(
                                        seq,
                                        current
                                            .map(AuditEntry::hash)
                                            .orElseThrow(
                                                () ->
                                                    new IllegalStateException(
                                                        "audit head hint points past the log"))))));
  }

  private Future<Optional<AuditEntry>> byId(long seq) {
    return Mongo.optional(entries.find(Filters.eq("_id", seq)).first())
        .map(d -> d.map(AuditEntry::fromDocument));
  }

  /** Entries after {@code afterSeq}, oldest first, optionally only those about one city. */
  public Future<List<AuditEntry>> list(long afterSeq, int limit, Optional<String> cityId) {
    List<org.bson.conversions.Bson> conditions = new ArrayList<>();
    conditions.add(Filters.gt("_id", afterSeq));
    cityId.ifPresent(c -> conditions.add(Filters.eq("cityId", c)));
    return Mongo.list(
            entries.find(Filters.and(conditions)).sort(Sorts.ascending("_id")).limit(limit))
        .map(docs -> docs.stream().map(AuditEntry::fromDocument).toList());
  }

  /**
   * Re-computes every hash and link from the first entry, reading in {@code $in} batches of ids.
   * Reports the first broken entry (changed, missing or out of order).
   */
  public Future<JsonObject> verify() {
    return verifyFrom(1, AuditEntry.GENESIS, 0);
  }

  private Future<JsonObject> verifyFrom(long from, String prevHash, long checked) {
    List<Long> ids = LongStream.range(from, from + VERIFY_BATCH).boxed().toList();
    return Mongo.list(entries.find(Filters.in("_id", ids)))
        .compose(
            docs -> {
              Map<Long, AuditEntry> byId = new java.util.HashMap<>();
              docs.forEach(
                  d -> byId.put(((Number) d.get("_id")).longValue(), AuditEntry.fromDocument(d)));
              String previous = prevHash;
              long count = checked;
              for (long seq : ids) {
                AuditEntry entry = byId.get(seq);
                if (entry == null) {
                  long verified = count;
                  return hasEntriesAfter(seq)
                      .map(gap -> gap ? broken(seq, "missing") : intact(verified));
                }
                if (!entry.prevHash().equals(previous)) {
                  return Future.succeededFuture(broken(seq, "link"));
                }
                if (!entry.hashIsIntact()) {
                  return Future.succeededFuture(broken(seq, "content"));
                }
                previous = entry.hash();
                count++;
              }
              return verifyFrom(from + VERIFY_BATCH, previous, count);
            });
  }

  private Future<Boolean> hasEntriesAfter(long seq) {
    return Mongo.optional(entries.find(Filters.gt("_id", seq)).limit(1).first())
        .map(Optional::isPresent);
  }

  private static JsonObject intact(long entries) {
    return new JsonObject().put("valid", true).put("entries", entries);
  }

  private static JsonObject broken(long seq, String reason) {
    return new JsonObject().put("valid", false).put("brokenAt", seq).put("reason", reason);
  }
}
