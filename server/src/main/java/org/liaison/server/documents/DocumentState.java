package org.liaison.server.documents;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What this node knows of one document: hints, never the truth (another node may have appended
 * since). The store's keys decide; a collision makes this node read forward and try again. Lives on
 * the {@link DocumentStates} context; its writes run one at a time ({@link #serially}).
 */
final class DocumentState {
  final String id;
  final String channelId;
  long lastSeq;
  long snapshotSeq;
  private final Map<String, DocumentRecord.ClientMark> clients;

  /** How many versions the document has, or -1 until first needed. */
  long versions = -1;

  private Future<Void> tail = Future.succeededFuture();

  DocumentState(DocumentRecord record) {
    this.id = record.id();
    this.channelId = record.channelId();
    this.lastSeq = record.lastSeq();
    this.snapshotSeq = record.snapshotSeq();
    this.clients = new HashMap<>(record.clients());
  }

  /** The device's last clientSeq for this document and the seq it got; (0, 0) before any. */
  DocumentRecord.ClientMark lastOf(String deviceId) {
    return clients.getOrDefault(deviceId, new DocumentRecord.ClientMark(0, 0));
  }

  /** An update now in the store, from this node or read back from another's. */
  void applied(DocumentUpdate update) {
    lastSeq = Math.max(lastSeq, update.seq());
    DocumentRecord.ClientMark mark = lastOf(update.authorDeviceId());
    if (update.clientSeq() > mark.clientSeq()) {
      clients.put(
          update.authorDeviceId(), new DocumentRecord.ClientMark(update.clientSeq(), update.seq()));
    }
  }

  /** No write is running or queued: the state may be dropped. */
  boolean idle() {
    return tail.isComplete();
  }

  /** Runs {@code work} after the document's earlier writes on this node have finished. */
  <T> Future<T> serially(Supplier<Future<T>> work) {
    Promise<T> result = Promise.promise();
    tail =
        tail.transform(
            previous -> {
              Future<T> running;
              try {
                running = work.get();
              } catch (RuntimeException e) {
                running = Future.failedFuture(e);
              }
              running.onComplete(result);
              return running.transform(done -> Future.<Void>succeededFuture());
            });
    return result.future();
  }
}
