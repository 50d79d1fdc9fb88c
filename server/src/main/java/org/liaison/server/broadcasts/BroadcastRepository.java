package org.liaison.server.broadcasts;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bson.Document;
import org.bson.types.Binary;
import org.liaison.crypto.Digests;
import org.liaison.server.store.Mongo;
import org.liaison.server.store.Store;

/**
 * The broadcasts' collections (docs/broadcasts.md, "Collections"). Every hot read is by {@code _id}
 * (equality or {@code $in}), which both stores answer from their index. The global order is a dense
 * run of {@code broadcast_seq} slots taken by inserting the next number; a duplicate key means
 * another node took it. An acknowledgement is the insert of {@code <id>:<userId>}: the
 * exactly-once.
 */
final class BroadcastRepository {
  /** Users per recipients page. */
  static final int PAGE_USERS = 256;

  private static final int BATCH = 200;

  private final MongoCollection<Document> broadcasts;
  private final MongoCollection<Document> seq;
  private final MongoCollection<Document> meta;
  private final MongoCollection<Document> recipients;
  private final MongoCollection<Document> acks;
  private final MongoCollection<Document> sent;

  BroadcastRepository(Store store) {
    this.broadcasts = store.collection("broadcasts");
    this.seq = store.collection("broadcast_seq");
    this.meta = store.collection("broadcast_meta");
    this.recipients = store.collection("broadcast_recipients");
    this.acks = store.collection("broadcast_acks");
    this.sent = store.collection("broadcasts_sent");
  }

  /** Pages for {@code users} recipients: ceil(users / 256), at least one. */
  static int pagesFor(int users) {
    return Math.max(1, (users + PAGE_USERS - 1) / PAGE_USERS);
  }

  /** The page a user's wraps are on: the first 4 bytes of SHA-256(userId), unsigned, mod P. */
  static int pageOf(String userId, int pages) {
    byte[] hash = Digests.sha256().digest(userId.getBytes(StandardCharsets.UTF_8));
    long first =
        ((hash[0] & 0xFFL) << 24)
            | ((hash[1] & 0xFFL) << 16)
            | ((hash[2] & 0xFFL) << 8)
            | (hash[3] & 0xFFL);
    return (int) (first % pages);
  }

  static String pageId(String broadcastId, int page) {
    return broadcastId + ":" + page;
  }

  static String ackId(String broadcastId, String userId) {
    return broadcastId + ":" + userId;
  }

  // ---- broadcasts -----------------------------------------------------------------------------

  /** False when a broadcast with this id is stored already. */
  Future<Boolean> insert(BroadcastRecord record) {
    return insertUnique(broadcasts, record.toDocument());
  }

  Future<Optional<BroadcastRecord>> byId(String id) {
    return Mongo.optional(broadcasts.find(Filters.eq("_id", id)).first())
        .map(d -> d.map(BroadcastRecord::fromDocument));
  }

  /** Without their content: the list views. */
  Future<List<BroadcastRecord>> byIdsWithoutContent(Collection<String> ids) {
    return byIds(ids, true);
  }

  Future<List<BroadcastRecord>> byIds(Collection<String> ids, boolean withoutContent) {
    if (ids.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    var find = broadcasts.find(Filters.in("_id", ids));
    if (withoutContent) {
      find = find.projection(Projections.exclude("content"));
    }
    return Mongo.list(find).map(docs -> docs.stream().map(BroadcastRecord::fromDocument).toList());
  }

  Future<Void> setNumber(String id, long n) {
    return Mongo.first(broadcasts.updateOne(Filters.eq("_id", id), Updates.set("n", n))).mapEmpty();
  }

  /** Raises the per-city acknowledgement hint; the broadcast as it now is. */
  Future<Optional<BroadcastRecord>> countAck(String id, String cityKey) {
    return Mongo.optional(
            broadcasts.findOneAndUpdate(
                Filters.eq("_id", id),
                Updates.inc("ackHint." + cityKey, 1),
                new FindOneAndUpdateOptions()
                    .returnDocument(ReturnDocument.AFTER)
                    .projection(Projections.exclude("content"))))
        .map(d -> d.map(BroadcastRecord::fromDocument));
  }

  /** Appends reminder {@code n} if the last one stored is {@code n - 1}; false otherwise. */
  Future<Boolean> addReminder(String id, BroadcastRecord.Reminder reminder) {
    Document stored =
        new Document("n", reminder.n())
            .append("at", reminder.at())
            .append("signature", new Binary(reminder.signature()))
            .append("receivedAt", Date.from(reminder.receivedAt()));
    return Mongo.first(
            broadcasts.updateOne(
                Filters.and(Filters.eq("_id", id), Filters.size("reminders", reminder.n() - 1)),
                Updates.push("reminders", stored)))
        .map(r -> r.getModifiedCount() == 1);
  }

  Future<Void> addResend(String originalId, String resendId) {
    return Mongo.first(
            broadcasts.updateOne(
                Filters.eq("_id", originalId), Updates.addToSet("resends", resendId)))
        .mapEmpty();
  }

  /** The original and its resends' ids. */
  Future<List<String>> family(String originalId) {
    return Mongo.optional(
            broadcasts
                .find(Filters.eq("_id", originalId))
                .projection(Projections.include("resends"))
                .first())
        .map(
            d -> {
              List<String> ids = new ArrayList<>(List.of(originalId));
              d.map(doc -> doc.getList("resends", String.class)).ifPresent(r -> ids.addAll(r));
              return ids;
            });
  }

  // ---- the global order -----------------------------------------------------------------------

  /** The newest slot taken (a hint: slots after it may exist). */
  Future<Long> headHint() {
    return Mongo.optional(meta.find(Filters.eq("_id", "head")).first())
        .map(d -> d.map(doc -> doc.get("n", Number.class).longValue()).orElse(0L));
  }

  /** The newest slot, found from the hint by reading ahead until a gap. */
  Future<Long> head() {
    return headHint().compose(this::headFrom);
  }

  private Future<Long> headFrom(long from) {
    List<Long> ids = new ArrayList<>();
    for (long n = from + 1; n <= from + 100; n++) {
      ids.add(n);
    }
    return Mongo.list(seq.find(Filters.in("_id", ids)).projection(Projections.include("_id")))
        .compose(
            found -> {
              java.util.Set<Long> taken = new java.util.HashSet<>();
              found.forEach(d -> taken.add(d.get("_id", Number.class).longValue()));
              long head = from;
              while (taken.contains(head + 1)) {
                head++;
              }
              return head == from + 100 ? headFrom(head) : Future.succeededFuture(head);
            });
  }

  /** Takes the next free slot for this broadcast (or the one it already holds); its number. */
  Future<Long> takeSlot(String id, int pages) {
    return head().compose(h -> takeSlot(id, pages, h + 1, 0));
  }

  private Future<Long> takeSlot(String id, int pages, long n, int attempts) {
    if (attempts > 1000) {
      return Future.failedFuture(new IllegalStateException("no broadcast slot after 1000 tries"));
    }
    Document slot = new Document("_id", n).append("id", id).append("pages", pages);
    return insertUnique(seq, slot)
        .compose(
            taken -> {
              if (taken) {
                return Mongo.first(
                        meta.updateOne(
                            Filters.eq("_id", "head"),
                            Updates.max("n", n),
                            new UpdateOptions().upsert(true)))
                    .map(n);
              }
              return Mongo.optional(seq.find(Filters.eq("_id", n)).first())
                  .compose(
                      other ->
                          other.isPresent() && id.equals(other.get().getString("id"))
                              ? Future.succeededFuture(n)
                              : takeSlot(id, pages, n + 1, attempts + 1));
            });
  }

  /** A slot: the broadcast at number n and its recipients page count. */
  record Slot(long n, String id, int pages, boolean gone) {}

  /** Slots {@code from, from+1, …} up to {@code count}, stopping at the first missing one. */
  Future<List<Slot>> slots(long from, int count) {
    List<Long> ids = new ArrayList<>();
    for (long n = from; n < from + count; n++) {
      ids.add(n);
    }
    return Mongo.list(seq.find(Filters.in("_id", ids)))
        .map(
            docs -> {
              Map<Long, Document> byN = new HashMap<>();
              docs.forEach(d -> byN.put(d.get("_id", Number.class).longValue(), d));
              List<Slot> run = new ArrayList<>();
              for (long n : ids) {
                Document d = byN.get(n);
                if (d == null) {
                  break;
                }
                run.add(
                    new Slot(
                        n,
                        d.getString("id"),
                        d.get("pages", Number.class).intValue(),
                        Boolean.TRUE.equals(d.getBoolean("gone"))));
              }
              return run;
            });
  }

  // ---- recipients pages -----------------------------------------------------------------------

  /** A recipient user on a page: their city and their wraps by device id. */
  record RecipientUser(String userId, String cityId, Map<String, Wrap> devices) {}

  /** One device's wrap of the content key: HPKE {@code enc} (32 B) and ciphertext (48 B). */
  record Wrap(byte[] enc, byte[] key) {}

  /** Writes every page (replacing any left by an earlier attempt of the same send). */
  Future<Void> writePages(String broadcastId, int pages, Collection<RecipientUser> users) {
    List<Document> docs = new ArrayList<>();
    for (int p = 0; p < pages; p++) {
      docs.add(new Document("_id", pageId(broadcastId, p)).append("users", new Document()));
    }
    for (RecipientUser user : users) {
      Document devices = new Document();
      user.devices()
          .forEach(
              (deviceId, wrap) ->
                  devices.append(
                      deviceId,
                      new Document("enc", new Binary(wrap.enc()))
                          .append("key", new Binary(wrap.key()))));
      docs.get(pageOf(user.userId(), pages))
          .get("users", Document.class)
          .append(
              user.userId(),
              new Document("cityId", BroadcastRecord.cityKey(user.cityId()))
                  .append("devices", devices));
    }
    List<Future<?>> writes = new ArrayList<>();
    for (Document doc : docs) {
      writes.add(
          Mongo.first(
              recipients.replaceOne(
                  Filters.eq("_id", doc.getString("_id")),
                  doc,
                  new ReplaceOptions().upsert(true))));
    }
    return Future.all(writes).mapEmpty();
  }

  /** One user's entry in each of these broadcasts (by slot), if they are a recipient. */
  Future<Map<String, RecipientUser>> recipientIn(List<Slot> slots, String userId) {
    if (slots.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    List<String> ids = new ArrayList<>();
    for (Slot slot : slots) {
      ids.add(pageId(slot.id(), pageOf(userId, slot.pages())));
    }
    return Mongo.list(
            recipients
                .find(Filters.in("_id", ids))
                .projection(Projections.include("users." + userId)))
        .map(
            docs -> {
              Map<String, RecipientUser> found = new HashMap<>();
              for (Document d : docs) {
                String pageId = d.getString("_id");
                String broadcastId = pageId.substring(0, pageId.indexOf(':'));
                Document users = d.get("users", Document.class);
                Document entry = users == null ? null : users.get(userId, Document.class);
                if (entry != null) {
                  found.put(broadcastId, recipientUser(userId, entry));
                }
              }
              return found;
            });
  }

  private static RecipientUser recipientUser(String userId, Document entry) {
    Map<String, Wrap> devices = new HashMap<>();
    Document stored = entry.get("devices", Document.class);
    stored.forEach(
        (deviceId, raw) -> {
          Document wrap = (Document) raw;
          devices.put(
              deviceId,
              new Wrap(
                  wrap.get("enc", Binary.class).getData(),
                  wrap.get("key", Binary.class).getData()));
        });
    return new RecipientUser(userId, BroadcastRecord.cityOf(entry.getString("cityId")), devices);
  }

  /** One recipients page. */
  Future<List<RecipientUser>> page(String broadcastId, int page) {
    return pages(broadcastId, List.of(page));
  }

  /** Every recipient of a broadcast, page by page. */
  Future<List<RecipientUser>> allRecipients(String broadcastId, int pages) {
    List<Integer> all = new ArrayList<>();
    for (int p = 0; p < pages; p++) {
      all.add(p);
    }
    return pages(broadcastId, all);
  }

  private Future<List<RecipientUser>> pages(String broadcastId, List<Integer> pages) {
    List<String> ids = pages.stream().map(p -> pageId(broadcastId, p)).toList();
    return Mongo.list(recipients.find(Filters.in("_id", ids)))
        .map(
            docs -> {
              List<RecipientUser> users = new ArrayList<>();
              for (Document d : docs) {
                Document entries = d.get("users", Document.class);
                entries.forEach((userId, raw) -> users.add(recipientUser(userId, (Document) raw)));
              }
              users.sort(java.util.Comparator.comparing(RecipientUser::userId));
              return users;
            });
  }

  // ---- acknowledgements -----------------------------------------------------------------------

  /** A stored acknowledgement ({@code via}: the resend it was given to, when not this one). */
  record Ack(
      String userId,
      String deviceId,
      long ackedAt,
      byte[] signature,
      Instant receivedAt,
      Optional<String> via) {}

  /** The exactly-once: true for the user's first acknowledgement, false after that. */
  Future<Boolean> insertAck(String broadcastId, String cityKey, Ack ack) {
    return insertUnique(
        acks,
        new Document("_id", ackId(broadcastId, ack.userId()))
            .append("broadcastId", broadcastId)
            .append("userId", ack.userId())
            .append("cityId", cityKey)
            .append("deviceId", ack.deviceId())
            .append("ackedAt", ack.ackedAt())
            .append("signature", new Binary(ack.signature()))
            .append("receivedAt", Date.from(ack.receivedAt()))
            .append("via", ack.via().orElse(null)));
  }

  /** These users' acknowledgements of a broadcast, by user id; read in batches of 200. */
  Future<Map<String, Ack>> acks(String broadcastId, Collection<String> userIds) {
    List<String> ids = userIds.stream().map(u -> ackId(broadcastId, u)).toList();
    List<Future<List<Document>>> reads = new ArrayList<>();
    for (int i = 0; i < ids.size(); i += BATCH) {
      reads.add(
          Mongo.list(
              acks.find(Filters.in("_id", ids.subList(i, Math.min(ids.size(), i + BATCH))))));
    }
    return Future.all(new ArrayList<>(reads))
        .map(
            done -> {
              Map<String, Ack> found = new HashMap<>();
              for (Future<List<Document>> read : reads) {
                for (Document d : read.result()) {
                  found.put(d.getString("userId"), ack(d));
                }
              }
              return found;
            });
  }

  /** One user's acknowledgements of these broadcasts, by broadcast id. */
  Future<Map<String, Ack>> acksOfUser(Collection<String> broadcastIds, String userId) {
    if (broadcastIds.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    List<String> ids = broadcastIds.stream().map(b -> ackId(b, userId)).toList();
    return Mongo.list(acks.find(Filters.in("_id", ids)))
        .map(
            docs -> {
              Map<String, Ack> found = new HashMap<>();
              for (Document d : docs) {
                found.put(d.getString("broadcastId"), ack(d));
              }
              return found;
            });
  }

  private static Ack ack(Document d) {
    return new Ack(
        d.getString("userId"),
        d.getString("deviceId"),
        d.get("ackedAt", Number.class).longValue(),
        d.get("signature", Binary.class).getData(),
        d.getDate("receivedAt").toInstant(),
        Optional.ofNullable(d.getString("via")));
  }

  // ---- the authors' lists ---------------------------------------------------------------------

  Future<Void> addSent(String authorUserId, String broadcastId) {
    return Mongo.first(
            sent.updateOne(
                Filters.eq("_id", authorUserId),
                Updates.addToSet("ids", broadcastId),
                new UpdateOptions().upsert(true)))
        .mapEmpty();
  }

  Future<List<String>> sentBy(String authorUserId) {
    return Mongo.optional(sent.find(Filters.eq("_id", authorUserId)).first())
        .map(d -> d.map(doc -> doc.getList("ids", String.class)).orElse(List.of()));
  }

  // ---- retention ------------------------------------------------------------------------------

  /**
   * Deletes a broadcast, its pages and its acknowledgements. Its slot stays (marked gone), so the
   * run of slots readers walk has no gap.
   */
  Future<Void> delete(Slot slot, Collection<String> recipientUserIds) {
    List<String> pageIds = new ArrayList<>();
    for (int p = 0; p < slot.pages(); p++) {
      pageIds.add(pageId(slot.id(), p));
    }
    List<String> ackIds = recipientUserIds.stream().map(u -> ackId(slot.id(), u)).toList();
    List<Future<?>> deletions = new ArrayList<>();
    for (int i = 0; i < ackIds.size(); i += BATCH) {
      deletions.add(
          Mongo.first(
              acks.deleteMany(
                  Filters.in("_id", ackIds.subList(i, Math.min(ackIds.size(), i + BATCH))))));
    }
    deletions.add(Mongo.first(recipients.deleteMany(Filters.in("_id", pageIds))));
    return Future.all(deletions)
        .compose(v -> Mongo.first(broadcasts.deleteOne(Filters.eq("_id", slot.id()))))
        .compose(
            v -> Mongo.first(seq.updateOne(Filters.eq("_id", slot.n()), Updates.set("gone", true))))
        .mapEmpty();
  }

  // ---- helpers --------------------------------------------------------------------------------

  private static Future<Boolean> insertUnique(MongoCollection<Document> into, Document doc) {
    return Mongo.optional(into.insertOne(doc))
        .map(true)
        .recover(
            e -> Mongo.isDuplicateKey(e) ? Future.succeededFuture(false) : Future.failedFuture(e));
  }
}
