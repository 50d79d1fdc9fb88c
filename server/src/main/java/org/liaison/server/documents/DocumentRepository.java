package org.liaison.server.documents;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.bson.Document;
import org.bson.types.Binary;
import org.liaison.server.store.Mongo;
import org.liaison.server.store.Store;

/**
 * The documents' collections. Every read is by {@code _id} (equality or {@code $in} of the next
 * dense ids, as the channel log reads), which both stores answer from their index; the embedded
 * store would scan the collection for anything else. Nothing here is a counter: the next number is
 * taken by inserting it, and a duplicate key means someone else took it.
 */
final class DocumentRepository {
  private final MongoCollection<Document> documents;
  private final MongoCollection<Document> slots;
  private final MongoCollection<Document> updates;
  private final MongoCollection<Document> snapshots;
  private final MongoCollection<Document> versions;
  private final MongoCollection<Document> keyrings;

  DocumentRepository(Store store) {
    this.documents = store.collection("documents");
    this.slots = store.collection("channel_documents");
    this.updates = store.collection("document_updates");
    this.snapshots = store.collection("document_snapshots");
    this.versions = store.collection("document_versions");
    this.keyrings = store.collection("document_keyrings");
  }

  /** One update per (document, device, clientSeq), across nodes: a resend collides here. */
  Future<Void> createIndexes() {
    return Mongo.first(
            updates.createIndex(
                Indexes.ascending("doc", "authorDeviceId", "clientSeq"),
                new IndexOptions().unique(true).name("idempotent-update")))
        .mapEmpty();
  }

  // ---- documents and the channel's list of them -------------------------------------------

  Future<Void> insert(DocumentRecord record) {
    return Mongo.optional(documents.insertOne(record.toDocument())).mapEmpty();
  }

  Future<Void> deleteDocument(String documentId) {
    return Mongo.first(documents.deleteOne(Filters.eq("_id", documentId))).mapEmpty();
  }

  Future<Optional<DocumentRecord>> byId(String documentId) {
    return Mongo.optional(documents.find(Filters.eq("_id", documentId)).first())
        .map(d -> d.map(DocumentRecord::fromDocument));
  }

  /** The document if it belongs to this channel; 404 document-not-found otherwise. */
  Future<DocumentRecord> inChannel(String channelId, String documentId) {
    return byId(documentId)
        .map(
            found ->
                found
                    .filter(r -> r.channelId().equals(channelId))
                    .orElseThrow(Documents::documentNotFound));
  }

  Future<List<DocumentRecord>> byIds(List<String> documentIds) {
    if (documentIds.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return Mongo.list(documents.find(Filters.in("_id", documentIds)))
        .map(
            found -> {
              Map<String, DocumentRecord> byId = new HashMap<>();
              found.forEach(d -> byId.put(d.getString("_id"), DocumentRecord.fromDocument(d)));
              // In the channel's order (creation), leaving out any that went missing.
              return documentIds.stream().filter(byId::containsKey).map(byId::get).toList();
            });
  }

  /** Puts a document into its channel's list at slot {@code number}; false if that is taken. */
  Future<Boolean> claimSlot(String channelId, long number, String documentId) {
    return insertUnique(
        slots, new Document("_id", slotId(channelId, number)).append("doc", documentId));
  }

  /** The document ids in a channel's slots {@code from, from+1, …}, up to the first empty one. */
  Future<List<String>> slots(String channelId, long from, int count) {
    return forward(slots, channelId, from, count, d -> d.getString("doc"));
  }

  Future<Void> setHeader(String documentId, long generation, byte[] header, Instant now) {
    return Mongo.first(
            documents.updateOne(
                Filters.eq("_id", documentId),
                Updates.combine(
                    Updates.set("generation", generation),
                    Updates.set("header", new Binary(header)),
                    Updates.max("updatedAt", Date.from(now)))))
        .mapEmpty();
  }

  /**
   * Records an accepted update in the document: {@code $max}, so updates recorded out of order (two
   * nodes) leave the highest numbers.
   */
  Future<Void> recordUpdate(String documentId, DocumentUpdate update) {
    String mark = "clients." + update.authorDeviceId();
    return Mongo.first(
            documents.updateOne(
                Filters.eq("_id", documentId),
                Updates.combine(
                    Updates.max("lastSeq", update.seq()),
                    Updates.max(mark + ".clientSeq", update.clientSeq()),
                    Updates.max(mark + ".seq", update.seq()),
                    Updates.max("updatedAt", Date.from(update.createdAt())))))
        .mapEmpty();
  }

  /**
   * Makes {@code coversSeq} the current snapshot if the current one is still {@code expected}
   * (compare-and-set); the current one becomes the previous.
   */
  Future<Boolean> advanceSnapshot(String documentId, long expected, long coversSeq) {
    return Mongo.first(
            documents.updateOne(
                Filters.and(Filters.eq("_id", documentId), Filters.eq("snapshotSeq", expected)),
                Updates.combine(
                    Updates.set("snapshotSeq", coversSeq),
                    Updates.set("previousSnapshotSeq", expected))))
        .map(r -> r.getMatchedCount() == 1);
  }

  // ---- updates ----------------------------------------------------------------------------

  /** Inserts at the update's seq; false when the key is taken (that seq, or that clientSeq). */
  Future<Boolean> insert(DocumentUpdate update) {
    return insertUnique(updates, update.toDocument());
  }

  /** Updates {@code from, from+1, …} that exist, up to {@code count}, stopping at a gap. */
  Future<List<DocumentUpdate>> updates(String documentId, long from, int count) {
    return forward(updates, documentId, from, count, DocumentUpdate::fromDocument);
  }

  /** The update a device sent with this clientSeq, if it is still kept (a resend, rarely). */
  Future<Optional<DocumentUpdate>> byClientSeq(String documentId, String deviceId, long clientSeq) {
    return Mongo.optional(
            updates
                .find(
                    Filters.and(
                        Filters.eq("doc", documentId),
                        Filters.eq("authorDeviceId", deviceId),
                        Filters.eq("clientSeq", clientSeq)))
                .first())
        .map(d -> d.map(DocumentUpdate::fromDocument));
  }

  /**
   * Per device, the highest clientSeq (and its seq) among updates {@code fromSeq..toSeq}: read
   * without their ciphertext, before compaction deletes them.
   */
  Future<Map<String, DocumentRecord.ClientMark>> marks(
      String documentId, long fromSeq, long toSeq) {
    List<Future<List<Document>>> reads = new ArrayList<>();
    for (long start = fromSeq; start <= toSeq; start += 1000) {
      List<String> ids = new ArrayList<>();
      for (long seq = start; seq <= Math.min(toSeq, start + 999); seq++) {
        ids.add(DocumentUpdate.id(documentId, seq));
      }
      reads.add(
          Mongo.list(
              updates
                  .find(Filters.in("_id", ids))
                  .projection(
                      com.mongodb.client.model.Projections.include(
                          "authorDeviceId", "clientSeq", "seq"))));
    }
    return Future.all(new ArrayList<>(reads))
        .map(
            done -> {
              Map<String, DocumentRecord.ClientMark> marks = new HashMap<>();
              for (Future<List<Document>> read : reads) {
                for (Document d : read.result()) {
                  DocumentRecord.ClientMark mark =
                      new DocumentRecord.ClientMark(
                          DocumentRecord.number(d, "clientSeq"), DocumentRecord.number(d, "seq"));
                  marks.merge(
                      d.getString("authorDeviceId"),
                      mark,
                      (a, b) -> a.clientSeq() >= b.clientSeq() ? a : b);
                }
              }
              return marks;
            });
  }

  /** Raises the record's per-device marks to at least these ({@code $max}). */
  Future<Void> recordMarks(String documentId, Map<String, DocumentRecord.ClientMark> marks) {
    if (marks.isEmpty()) {
      return Future.succeededFuture();
    }
    List<org.bson.conversions.Bson> raises = new ArrayList<>();
    marks.forEach(
        (device, mark) -> {
          raises.add(Updates.max("clients." + device + ".clientSeq", mark.clientSeq()));
          raises.add(Updates.max("clients." + device + ".seq", mark.seq()));
        });
    return Mongo.first(documents.updateOne(Filters.eq("_id", documentId), Updates.combine(raises)))
        .mapEmpty();
  }

  Future<Void> deleteUpdates(String documentId, long fromSeq, long toSeq) {
    List<Future<?>> deletions = new ArrayList<>();
    // In chunks, so one $in never grows with the document.
    for (long start = fromSeq; start <= toSeq; start += 1000) {
      List<String> ids = new ArrayList<>();
      for (long seq = start; seq <= Math.min(toSeq, start + 999); seq++) {
        ids.add(DocumentUpdate.id(documentId, seq));
      }
      deletions.add(Mongo.first(updates.deleteMany(Filters.in("_id", ids))));
    }
    return Future.all(deletions).mapEmpty();
  }

  // ---- snapshots --------------------------------------------------------------------------

  Future<Boolean> insert(DocumentSnapshot snapshot) {
    return insertUnique(snapshots, snapshot.toDocument());
  }

  Future<Optional<DocumentSnapshot>> snapshot(String documentId, long coversSeq) {
    return Mongo.optional(
            snapshots.find(Filters.eq("_id", DocumentSnapshot.id(documentId, coversSeq))).first())
        .map(d -> d.map(DocumentSnapshot::fromDocument));
  }

  Future<Void> deleteSnapshot(String documentId, long coversSeq) {
    return Mongo.first(
            snapshots.deleteOne(Filters.eq("_id", DocumentSnapshot.id(documentId, coversSeq))))
        .mapEmpty();
  }

  // ---- versions ---------------------------------------------------------------------------

  Future<Boolean> insert(DocumentVersion version) {
    return insertUnique(versions, version.toDocument());
  }

  Future<List<DocumentVersion>> versions(String documentId, long from, int count) {
    return forward(versions, documentId, from, count, DocumentVersion::fromDocument);
  }

  // ---- keyrings ---------------------------------------------------------------------------

  /** Stores a channel's keyring for an epoch; false if one is stored already (first write wins). */
  Future<Boolean> insertKeyring(String channelId, long epoch, byte[] ciphertext, Instant now) {
    return insertUnique(
        keyrings,
        new Document("_id", channelId + ":" + epoch)
            .append("ch", channelId)
            .append("epoch", epoch)
            .append("ciphertext", new Binary(ciphertext))
            .append("createdAt", Date.from(now)));
  }

  Future<Optional<byte[]>> keyring(String channelId, long epoch) {
    return Mongo.optional(keyrings.find(Filters.eq("_id", channelId + ":" + epoch)).first())
        .map(d -> d.map(k -> k.get("ciphertext", Binary.class).getData()));
  }

  // ---- helpers ----------------------------------------------------------------------------

  private static String slotId(String channelId, long number) {
    return channelId + ":" + number;
  }

  private static Future<Boolean> insertUnique(MongoCollection<Document> into, Document doc) {
    return Mongo.optional(into.insertOne(doc))
        .map(true)
        .recover(
            e -> Mongo.isDuplicateKey(e) ? Future.succeededFuture(false) : Future.failedFuture(e));
  }

  /**
   * The records at {@code <prefix>:from, <prefix>:from+1, …} up to {@code count}, as one {@code
   * $in}, cut at the first missing number: a contiguous run.
   */
  private static <T> Future<List<T>> forward(
      MongoCollection<Document> from,
      String prefix,
      long first,
      int count,
      Function<Document, T> read) {
    List<String> ids = new ArrayList<>();
    for (long n = first; n < first + count; n++) {
      ids.add(prefix + ":" + n);
    }
    return Mongo.list(from.find(Filters.in("_id", ids)))
        .map(
            docs -> {
              Map<String, Document> byId = new HashMap<>();
              docs.forEach(d -> byId.put(d.getString("_id"), d));
              List<T> run = new ArrayList<>();
              for (String id : ids) {
                Document d = byId.get(id);
                if (d == null) {
                  break;
                }
                run.add(read.apply(d));
              }
              return run;
            });
  }
}
