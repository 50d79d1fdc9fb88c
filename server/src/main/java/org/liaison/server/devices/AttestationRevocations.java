package org.liaison.server.devices;

import com.mongodb.client.model.Filters;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.LongStream;
import org.bson.Document;
import org.liaison.server.events.Events;
import org.liaison.server.store.Mongo;
import org.liaison.server.store.Store;

/**
 * The attestation revocation list: device attestations that stopped holding (a tier or role change,
 * a revoked device, a suspended user), with a dense seq from 1 so clients page through it with
 * {@code after}. Entry {@code n} is stored under {@code _id = n}; an append inserts the slot after
 * the head and a duplicate key means another writer took it (as in the audit log), so every read is
 * an {@code _id} equality or {@code $in}. Each batch of entries is announced to every connection
 * with {@code network-updated} {@code attestations-revoked}.
 */
public final class AttestationRevocations {
  public static final int PAGE = 500;
  private static final int MAX_RETRIES = 50;
  private static final int HEAD_BATCH = 100;

  private final MongoCollection<Document> entries;
  private final EventBus events;
  private final Clock clock;

  /** Appends from this node run one after another; other nodes are handled by the retry. */
  private Future<?> tail = Future.succeededFuture();

  /** A head this node has seen: the walk to the real head starts here (slots never empty). */
  private volatile long knownHead;

  public AttestationRevocations(Store store, EventBus events, Clock clock) {
    this.entries = store.collection("attestation_revocations");
    this.events = events;
    this.clock = clock;
  }

  /** What the list holds after {@code after}: at most {@link #PAGE}, and where to go on. */
  public record Page(List<AttestationRevocation> items, long next) {}

  /** Adds the entries in order and tells every connection; nothing happens for none. */
  public synchronized Future<List<AttestationRevocation>> append(
      List<AttestationRevocation.Revoked> revoked) {
    if (revoked.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    Future<List<AttestationRevocation>> appended =
        tail.transform(ignored -> appendAll(revoked, 0, new ArrayList<>()));
    tail = appended;
    return appended.onSuccess(
        added ->
            events.publish(
                Events.NETWORK,
                new JsonObject()
                    .put("type", "network-updated")
                    .put("reason", "attestations-revoked")));
  }

  private Future<List<AttestationRevocation>> appendAll(
      List<AttestationRevocation.Revoked> revoked, int index, List<AttestationRevocation> done) {
    if (index == revoked.size()) {
      return Future.succeededFuture(done);
    }
    return insert(revoked.get(index), MAX_RETRIES)
        .compose(
            entry -> {
              done.add(entry);
              return appendAll(revoked, index + 1, done);
            });
  }

  private Future<AttestationRevocation> insert(
      AttestationRevocation.Revoked revoked, int retriesLeft) {
    return head(knownHead)
        .compose(
            head -> {
              AttestationRevocation entry =
                  new AttestationRevocation(
                      head + 1,
                      revoked.attestation(),
                      revoked.userId(),
                      revoked.deviceId(),
                      revoked.reason(),
                      clock.instant());
              return Mongo.first(entries.insertOne(entry.toDocument()))
                  .map(
                      r -> {
                        knownHead = Math.max(knownHead, entry.seq());
                        return entry;
                      })
                  .recover(
                      e ->
                          Mongo.isDuplicateKey(e) && retriesLeft > 0
                              ? insert(revoked, retriesLeft - 1)
                              : Future.failedFuture(e));
            });
  }

  /** The last seq: the entries are dense, so the head is where a batch of ids stops being full. */
  private Future<Long> head(long from) {
    return Mongo.list(
            entries
                .find(Filters.in("_id", ids(from, HEAD_BATCH)))
                .projection(new Document("_id", 1)))
        .compose(
            found ->
                found.size() == HEAD_BATCH
                    ? head(from + HEAD_BATCH)
                    : Future.succeededFuture(from + found.size()));
  }

  /** Entries after {@code after}, in seq order, at most {@link #PAGE}. */
  public Future<Page> after(long after) {
    return Mongo.list(entries.find(Filters.in("_id", ids(after, PAGE))))
        .map(
            docs -> {
              List<AttestationRevocation> items =
                  new ArrayList<>(docs.stream().map(AttestationRevocation::fromDocument).toList());
              items.sort(Comparator.comparingLong(AttestationRevocation::seq));
              long next = items.isEmpty() ? after : items.get(items.size() - 1).seq();
              return new Page(items, next);
            });
  }

  private static List<Long> ids(long after, int count) {
    return LongStream.rangeClosed(after + 1, after + count).boxed().toList();
  }
}
