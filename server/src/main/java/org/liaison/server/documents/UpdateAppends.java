package org.liaison.server.documents;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.liaison.server.api.ApiError;

/**
 * Appends a document's updates: one insert at the next seq, then the record's {@code $max}. The
 * {@code _id} and the unique (document, device, clientSeq) index are the compare-and-set: on a
 * collision the node reads forward and decides again, so a resend through any node and another
 * node's append both come out right. Runs on the {@link DocumentStates} context, one write per
 * document at a time.
 */
final class UpdateAppends {
  private final DocumentRepository repository;
  private final DocumentStates states;
  private final DocumentNotices notices;

  UpdateAppends(DocumentRepository repository, DocumentStates states, DocumentNotices notices) {
    this.repository = repository;
    this.states = states;
    this.notices = notices;
  }

  /** {@code draft} carries everything but the seq, which this decides. */
  Future<Documents.Accepted> append(DocumentState s, DocumentUpdate draft) {
    DocumentRecord.ClientMark last = s.lastOf(draft.authorDeviceId());
    if (draft.clientSeq() <= last.clientSeq()) {
      return resent(s, draft, last);
    }
    if (draft.clientSeq() > last.clientSeq() + 1) {
      // This node's marks are hints: another node may have stored the missing ones.
      return states
          .catchUp(s)
          .compose(
              caughtUp -> {
                long expected = s.lastOf(draft.authorDeviceId()).clientSeq() + 1;
                if (draft.clientSeq() > expected) {
                  throw new ApiError(
                      409,
                      "client-seq-gap",
                      "This device's next update to the document is clientSeq " + expected,
                      new JsonObject().put("expected", expected));
                }
                return append(s, draft);
              });
    }
    DocumentUpdate update = draft.at(s.lastSeq + 1);
    return repository
        .insert(update)
        .compose(
            inserted -> {
              if (!inserted) {
                return collided(s, draft);
              }
              s.applied(update);
              return repository
                  .recordUpdate(s.id, update)
                  .map(
                      v -> {
                        notices.updated(s.channelId, update);
                        return new Documents.Accepted(update.seq(), false);
                      });
            })
        .onFailure(
            e -> {
              if (!(e instanceof ApiError)) {
                states.forget(s.id); // the store failed: the state may be wrong
              }
            });
  }

  /**
   * The insert collided: this very update is stored already (a resend whose mark this node has not
   * seen), answered with its seq; or another node took the seq, and this node reads forward and
   * tries again.
   */
  private Future<Documents.Accepted> collided(DocumentState s, DocumentUpdate draft) {
    return repository
        .byClientSeq(s.id, draft.authorDeviceId(), draft.clientSeq())
        .compose(
            stored -> {
              if (stored.isPresent()) {
                s.applied(stored.get());
                return Future.succeededFuture(new Documents.Accepted(stored.get().seq(), true));
              }
              return states.catchUp(s).compose(caughtUp -> append(s, draft));
            });
  }

  /**
   * A clientSeq already stored: the last one's seq is in the state; an older one is looked up, and
   * one whose update a snapshot has replaced answers with that snapshot's coversSeq.
   */
  private Future<Documents.Accepted> resent(
      DocumentState s, DocumentUpdate draft, DocumentRecord.ClientMark last) {
    if (draft.clientSeq() == last.clientSeq()) {
      return Future.succeededFuture(new Documents.Accepted(last.seq(), true));
    }
    return repository
        .byClientSeq(s.id, draft.authorDeviceId(), draft.clientSeq())
        .map(
            found ->
                new Documents.Accepted(found.map(DocumentUpdate::seq).orElse(s.snapshotSeq), true));
  }
}
