package org.liaison.server.documents;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.liaison.server.api.ApiError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a document's snapshots: a new one only if it covers more than the current one, by
 * compare-and-set on the record's {@code snapshotSeq}; then the current one becomes the previous
 * (readers that opened it can still read the updates after it) and what the previous one covers
 * goes: the snapshot before it and its updates. Runs one write per document at a time.
 */
final class Compaction {
  private static final Logger LOG = LoggerFactory.getLogger(Compaction.class);

  private final DocumentRepository repository;
  private final DocumentStates states;

  Compaction(DocumentRepository repository, DocumentStates states) {
    this.repository = repository;
    this.states = states;
  }

  Future<Void> keep(DocumentState s, DocumentSnapshot snapshot) {
    return repository
        .inChannel(s.channelId, s.id)
        .compose(
            record -> {
              s.snapshotSeq = record.snapshotSeq();
              if (snapshot.coversSeq() <= record.snapshotSeq()) {
                throw stale(record.snapshotSeq());
              }
              return states.catchUp(s).map(record);
            })
        .compose(
            record -> {
              if (snapshot.coversSeq() > s.lastSeq) {
                throw ApiError.invalidField(
                    "coversSeq",
                    "coversSeq "
                        + snapshot.coversSeq()
                        + " is beyond the last update "
                        + s.lastSeq);
              }
              return repository
                  .insert(snapshot)
                  .compose(
                      inserted -> {
                        if (!inserted) {
                          throw stale(snapshot.coversSeq());
                        }
                        return repository.advanceSnapshot(
                            s.id, record.snapshotSeq(), snapshot.coversSeq());
                      })
                  .compose(
                      advanced -> {
                        if (!advanced) {
                          // Another node's snapshot landed meanwhile: ours goes.
                          return repository
                              .deleteSnapshot(s.id, snapshot.coversSeq())
                              .compose(v -> Future.failedFuture(stale(snapshot.coversSeq())));
                        }
                        s.snapshotSeq = snapshot.coversSeq();
                        return compact(s.id, record);
                      });
            });
  }

  /**
   * Deletes what the previous snapshot (the record's current one before this) covers: the snapshot
   * before it and the updates up to it. A failure leaves garbage, never a hole, so it is only
   * logged.
   */
  private Future<Void> compact(String documentId, DocumentRecord before) {
    long previous = before.snapshotSeq();
    long older = before.previousSnapshotSeq();
    if (previous == 0) {
      return Future.succeededFuture();
    }
    // The record keeps each device's last clientSeq after its updates go (idempotence): raise
    // it from the updates themselves first, in case a crash kept an append's $max from landing.
    return repository
        .marks(documentId, older + 1, previous)
        .compose(marks -> repository.recordMarks(documentId, marks))
        .compose(
            v ->
                Future.all(
                    older == 0
                        ? Future.succeededFuture()
                        : repository.deleteSnapshot(documentId, older),
                    repository.deleteUpdates(documentId, older + 1, previous)))
        .<Void>mapEmpty()
        .recover(
            e -> {
              LOG.warn(
                  "document compaction incomplete document={} upTo={}", documentId, previous, e);
              return Future.succeededFuture();
            });
  }

  private static ApiError stale(long current) {
    return new ApiError(
        409,
        "snapshot-stale",
        "A snapshot covering seq " + current + " or later is stored already",
        new JsonObject().put("snapshotSeq", current));
  }
}
