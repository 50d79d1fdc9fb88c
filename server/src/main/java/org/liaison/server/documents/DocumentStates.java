package org.liaison.server.documents;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * This node's document states, loaded on first use (the record, then the updates past its {@code
 * lastSeq} that another node, or a crash before the record was updated, left), and the one Vert.x
 * context they live on, so none of them needs a lock. Idle states beyond {@link #MAX_STATES} are
 * dropped oldest first.
 */
final class DocumentStates {
  private static final int MAX_STATES = 20_000;
  private static final int CATCH_UP_PAGE = 200;

  private final Context context;
  private final DocumentRepository repository;
  private final LinkedHashMap<String, Future<DocumentState>> states =
      new LinkedHashMap<>(1024, 0.75f, true);

  DocumentStates(Vertx vertx, DocumentRepository repository) {
    this.context = vertx.getOrCreateContext();
    this.repository = repository;
  }

  /** The state of a document of this channel; 404 document-not-found for any other id. */
  Future<DocumentState> of(String channelId, String documentId) {
    return state(documentId)
        .map(
            s -> {
              if (!s.channelId.equals(channelId)) {
                throw Documents.documentNotFound();
              }
              return s;
            });
  }

  private Future<DocumentState> state(String documentId) {
    Future<DocumentState> known = states.get(documentId);
    if (known != null) {
      return known;
    }
    Future<DocumentState> loading =
        repository
            .byId(documentId)
            .compose(
                found ->
                    found.isEmpty()
                        ? Future.failedFuture(Documents.documentNotFound())
                        : catchUp(new DocumentState(found.get())));
    states.put(documentId, loading);
    loading.onFailure(e -> states.remove(documentId, loading));
    evictIdle();
    return loading;
  }

  /** Reads the updates past the state's last seq and applies them. */
  Future<DocumentState> catchUp(DocumentState s) {
    return repository
        .updates(s.id, s.lastSeq + 1, CATCH_UP_PAGE)
        .compose(
            page -> {
              page.forEach(s::applied);
              return page.size() == CATCH_UP_PAGE ? catchUp(s) : Future.succeededFuture(s);
            });
  }

  /** After a store failure the state may be wrong: the next use loads it again. */
  void forget(String documentId) {
    states.remove(documentId);
  }

  private void evictIdle() {
    Iterator<Map.Entry<String, Future<DocumentState>>> oldest = states.entrySet().iterator();
    while (states.size() > MAX_STATES && oldest.hasNext()) {
      Future<DocumentState> candidate = oldest.next().getValue();
      if (candidate.succeeded() && candidate.result().idle()) {
        oldest.remove();
      } else {
        break;
      }
    }
  }

  /** Runs {@code work} on the context where all document state lives. */
  <T> Future<T> confined(Supplier<Future<T>> work) {
    if (Vertx.currentContext() == context) {
      return work.get();
    }
    Promise<T> result = Promise.promise();
    context.runOnContext(
        v -> {
          try {
            work.get().onComplete(result);
          } catch (RuntimeException e) {
            result.fail(e);
          }
        });
    return result.future();
  }
}
