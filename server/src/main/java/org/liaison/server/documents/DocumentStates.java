package org.liaison.server.documents;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.function.Supplier;
import org.liaison.server.confinement.ConfinedStates;

/**
 * This node's document states, loaded on first use (the record, then the updates past its {@code
 * lastSeq} that another node, or a crash before the record was updated, left), and the one Vert.x
 * context they live on, so none of them needs a lock. Idle states beyond {@link #MAX_STATES} are
 * dropped oldest first.
 */
final class DocumentStates {
  private static final int MAX_STATES = 20_000;
  private static final int CATCH_UP_PAGE = 200;

  private final DocumentRepository repository;
  private final ConfinedStates<DocumentState> states;

  DocumentStates(Vertx vertx, DocumentRepository repository) {
    this.repository = repository;
    this.states = new ConfinedStates<>(vertx, MAX_STATES, DocumentState::idle);
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
    return states.get(
        documentId,
        () ->
            repository
                .byId(documentId)
                .compose(
                    found ->
                        found.isEmpty()
                            ? Future.failedFuture(Documents.documentNotFound())
                            : catchUp(new DocumentState(found.get()))));
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
    states.forget(documentId);
  }

  /** Runs {@code work} on the context where all document state lives. */
  <T> Future<T> confined(Supplier<Future<T>> work) {
    return states.confined(work);
  }
}
