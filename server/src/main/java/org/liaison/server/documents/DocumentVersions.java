package org.liaison.server.documents;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * A document's versions, numbered 1, 2, … by inserting the next {@code _id} (a collision means
 * another node numbered one meanwhile: count again), read forward by {@code $in}. Runs one write
 * per document at a time.
 */
final class DocumentVersions {
  private static final int PAGE = 500;

  private final DocumentRepository repository;
  private final DocumentStates states;

  DocumentVersions(DocumentRepository repository, DocumentStates states) {
    this.repository = repository;
    this.states = states;
  }

  /** Stores {@code draft} as the next version, with the document's last seq as of now. */
  Future<DocumentVersion> add(DocumentState s, DocumentVersion draft) {
    return states.catchUp(s).compose(caughtUp -> numbered(s, draft));
  }

  private Future<DocumentVersion> numbered(DocumentState s, DocumentVersion draft) {
    Future<Long> known = s.versions >= 0 ? Future.succeededFuture(s.versions) : count(s.id, 1);
    return known.compose(
        count -> {
          DocumentVersion version = draft.numbered(count + 1, s.lastSeq);
          return repository
              .insert(version)
              .compose(
                  inserted -> {
                    if (!inserted) {
                      s.versions = -1;
                      return numbered(s, draft);
                    }
                    s.versions = count + 1;
                    return Future.succeededFuture(version);
                  });
        });
  }

  private Future<Long> count(String documentId, long from) {
    return repository
        .versions(documentId, from, PAGE)
        .compose(
            page ->
                page.size() == PAGE
                    ? count(documentId, from + PAGE)
                    : Future.succeededFuture(from - 1 + page.size()));
  }

  /** Every version, oldest first. */
  Future<List<JsonObject>> all(String documentId) {
    return all(documentId, 1, new ArrayList<>());
  }

  private Future<List<JsonObject>> all(String documentId, long from, List<JsonObject> into) {
    return repository
        .versions(documentId, from, PAGE)
        .compose(
            page -> {
              page.forEach(v -> into.add(v.toJson()));
              return page.size() == PAGE
                  ? all(documentId, from + PAGE, into)
                  : Future.succeededFuture(into);
            });
  }
}
