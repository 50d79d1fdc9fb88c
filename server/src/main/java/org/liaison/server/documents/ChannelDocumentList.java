package org.liaison.server.documents;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.liaison.server.api.ApiError;

/**
 * A channel's list of documents: slots {@code <channelId>:1, 2, …} each naming one document, read
 * forward by {@code $in}. A slot is taken by inserting it, so two nodes never list two documents in
 * one slot, and the limit per channel holds across nodes. Runs on the {@link DocumentStates}
 * context.
 */
final class ChannelDocumentList {
  private static final int PAGE = 500;

  private final DocumentRepository repository;
  private final int maxPerChannel;

  /** Where this node believes each channel's list ends: a hint, read forward from. */
  private final Map<String, Long> lastSlots = new HashMap<>();

  ChannelDocumentList(DocumentRepository repository, int maxPerChannel) {
    this.repository = repository;
    this.maxPerChannel = maxPerChannel;
  }

  /** Stores the record and lists it; 409 too-many-documents when the channel is full. */
  Future<DocumentRecord> add(DocumentRecord record) {
    return freeSlot(record.channelId())
        .compose(slot -> repository.insert(record).compose(v -> take(slot, record)));
  }

  /** The channel's document ids, in the order they were made. */
  Future<List<String>> ids(String channelId) {
    return listed(channelId, 1, new ArrayList<>());
  }

  /** The first empty slot after the hint; 409 when the list is full. */
  private Future<Long> freeSlot(String channelId) {
    long from = lastSlots.getOrDefault(channelId, 0L) + 1;
    return repository
        .slots(channelId, from, PAGE)
        .compose(
            taken -> {
              long free = from + taken.size();
              lastSlots.put(channelId, free - 1);
              if (taken.size() == PAGE) {
                return freeSlot(channelId);
              }
              if (free > maxPerChannel) {
                throw tooManyDocuments();
              }
              return Future.succeededFuture(free);
            });
  }

  /** Lists the stored record at the slot; if another node took it, at the next free one. */
  private Future<DocumentRecord> take(long slot, DocumentRecord record) {
    String channelId = record.channelId();
    return repository
        .claimSlot(channelId, slot, record.id())
        .compose(
            claimed -> {
              if (claimed) {
                lastSlots.merge(channelId, slot, Math::max);
                return Future.succeededFuture(record);
              }
              return freeSlot(channelId).compose(next -> take(next, record));
            })
        // Lost the last slot to another node: the unlisted record goes again.
        .onFailure(e -> repository.deleteDocument(record.id()));
  }

  private Future<List<String>> listed(String channelId, long from, List<String> into) {
    return repository
        .slots(channelId, from, PAGE)
        .compose(
            page -> {
              into.addAll(page);
              return page.size() == PAGE
                  ? listed(channelId, from + PAGE, into)
                  : Future.succeededFuture(into);
            });
  }

  private ApiError tooManyDocuments() {
    return new ApiError(
        409,
        "too-many-documents",
        "This channel holds " + maxPerChannel + " documents, the most it may",
        new JsonObject().put("max", maxPerChannel));
  }
}
