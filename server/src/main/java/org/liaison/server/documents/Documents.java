package org.liaison.server.documents;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.liaison.server.api.ApiError;
import org.liaison.server.api.Ids;
import org.liaison.server.channels.Channel;
import org.liaison.server.channels.Policies;
import org.liaison.server.delivery.DeliveryService;
import org.liaison.server.delivery.DeliveryService.Sender;
import org.liaison.server.store.Store;

/**
 * Shared documents of a channel: the server orders and keeps their encrypted updates, snapshots,
 * versions and keyrings, and never sees a title or a word of content. Access follows the channel (a
 * member leaf whose user still meets its policy); the store's keys make appends correct across
 * nodes; this node's {@link DocumentStates} only save reads.
 */
public final class Documents {
  private static final int SLOT_PAGE = 500;
  private static final int VERSION_PAGE = 500;
  private static final long PAGE_BYTES = 4L << 20;

  private final DeliveryService delivery;
  private final DocumentRepository repository;
  private final DocumentStates states;
  private final DocumentNotices notices;
  private final Clock clock;
  private final int maxPerChannel;

  /** Where this node believes each channel's list of documents ends: a hint, read forward. */
  private final java.util.Map<String, Long> slotHints = new java.util.HashMap<>();

  /** An accepted update: its seq, and whether it was a resend of one already stored. */
  public record Accepted(long seq, boolean duplicate) {}

  /** An opened document: the summary, the current snapshot, the updates after it. */
  public record Opened(JsonObject summary, Optional<JsonObject> snapshot, Page updates) {}

  /** A page of updates (as JSON) and whether more follow. */
  public record Page(List<JsonObject> updates, boolean more) {}

  public Documents(
      Vertx vertx, Store store, DeliveryService delivery, Clock clock, int maxPerChannel) {
    this.delivery = delivery;
    this.repository = new DocumentRepository(store);
    this.states = new DocumentStates(vertx, repository);
    this.notices = new DocumentNotices(vertx);
    this.clock = clock;
    this.maxPerChannel = maxPerChannel;
  }

  public Future<Void> createIndexes() {
    return repository.createIndexes();
  }

  /** The store keeps milliseconds: what a write answers is what a read returns later. */
  private java.time.Instant now() {
    return clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
  }

  static ApiError documentNotFound() {
    return ApiError.notFound("document-not-found", "No such document");
  }

  // ---- access -----------------------------------------------------------------------------

  /**
   * The channel, for a device that is one of its member leaves (404 channel-not-found for anyone
   * else) and whose user still meets its policy (403 policy-not-met with the rule: the member's
   * removal is due but not yet committed).
   */
  private Future<Channel> access(Sender sender, String channelId) {
    return delivery
        .channelFor(channelId, sender.deviceId())
        .map(
            channel -> {
              Optional<Policies.Broken> broken = Policies.explain(channel.policy(), sender.user());
              if (broken.isPresent()) {
                throw new ApiError(
                    403,
                    "policy-not-met",
                    broken.get().message(),
                    new JsonObject()
                        .put("rule", broken.get().rule())
                        .put("userId", sender.user().id()));
              }
              return channel;
            });
  }

  /** A generation is the epoch its key was made in: never later than the channel's epoch. */
  private static void requireGeneration(Channel channel, long generation) {
    if (generation > channel.epoch()) {
      throw ApiError.invalidField(
          "generation",
          "generation " + generation + " is newer than the channel's epoch " + channel.epoch());
    }
  }

  // ---- keyrings ---------------------------------------------------------------------------

  /** Only for the channel's current epoch, and only once: the first write wins. */
  public Future<Long> putKeyring(Sender sender, String channelId, long epoch, byte[] ciphertext) {
    return access(sender, channelId)
        .compose(
            channel -> {
              if (epoch != channel.epoch()) {
                throw ApiError.wrongEpoch(channel.epoch());
              }
              return repository.insertKeyring(channelId, epoch, ciphertext, now());
            })
        .map(
            stored -> {
              if (!stored) {
                throw ApiError.conflict(
                    "keyring-exists",
                    "This epoch's keyring is stored already; read it and drop your own");
              }
              notices.keyring(channelId, epoch);
              return epoch;
            });
  }

  public Future<byte[]> keyring(Sender sender, String channelId, long epoch) {
    return access(sender, channelId)
        .compose(channel -> repository.keyring(channelId, epoch))
        .map(
            found ->
                found.orElseThrow(
                    () -> ApiError.notFound("keyring-not-found", "No keyring for that epoch")));
  }

  // ---- documents --------------------------------------------------------------------------

  public Future<JsonObject> create(
      Sender sender, String channelId, long generation, byte[] header) {
    return access(sender, channelId)
        .compose(
            channel -> {
              requireGeneration(channel, generation);
              DocumentRecord record =
                  DocumentRecord.created(
                      Ids.newId(), channelId, generation, header, sender.user().id(), now());
              return states.confined(
                  () ->
                      freeSlot(channelId)
                          .compose(
                              slot ->
                                  repository
                                      .insert(record)
                                      .compose(v -> takeSlot(channelId, slot, record))));
            })
        .map(
            record -> {
              notices.created(record);
              return record.toJson();
            });
  }

  /** The first empty slot of the channel's list, after the hint; 409 when the list is full. */
  private Future<Long> freeSlot(String channelId) {
    long from = slotHints.getOrDefault(channelId, 0L) + 1;
    return repository
        .slots(channelId, from, SLOT_PAGE)
        .compose(
            taken -> {
              long free = from + taken.size();
              slotHints.put(channelId, free - 1);
              if (taken.size() == SLOT_PAGE) {
                return freeSlot(channelId);
              }
              if (free > maxPerChannel) {
                throw tooManyDocuments();
              }
              return Future.succeededFuture(free);
            });
  }

  /** Lists the stored record at the slot; if another node took it, the next free one. */
  private Future<DocumentRecord> takeSlot(String channelId, long slot, DocumentRecord record) {
    return repository
        .claimSlot(channelId, slot, record.id())
        .compose(
            claimed -> {
              if (claimed) {
                slotHints.merge(channelId, slot, Math::max);
                return Future.succeededFuture(record);
              }
              return freeSlot(channelId).compose(next -> takeSlot(channelId, next, record));
            })
        // Lost the last slot to another node: the unlisted record goes again.
        .onFailure(e -> repository.deleteDocument(record.id()));
  }

  private ApiError tooManyDocuments() {
    return new ApiError(
        409,
        "too-many-documents",
        "This channel holds " + maxPerChannel + " documents, the most it may",
        new JsonObject().put("max", maxPerChannel));
  }

  /** The channel's documents in the order they were made. */
  public Future<List<JsonObject>> list(Sender sender, String channelId) {
    return access(sender, channelId)
        .compose(channel -> listed(channelId, 1, new ArrayList<>()))
        .compose(repository::byIds)
        .map(records -> records.stream().map(DocumentRecord::toJson).toList());
  }

  private Future<List<String>> listed(String channelId, long from, List<String> into) {
    return repository
        .slots(channelId, from, SLOT_PAGE)
        .compose(
            page -> {
              into.addAll(page);
              return page.size() == SLOT_PAGE
                  ? listed(channelId, from + SLOT_PAGE, into)
                  : Future.succeededFuture(into);
            });
  }

  public Future<JsonObject> setHeader(
      Sender sender, String channelId, String documentId, long generation, byte[] header) {
    return access(sender, channelId)
        .compose(
            channel -> {
              requireGeneration(channel, generation);
              return states.confined(() -> states.of(channelId, documentId));
            })
        .compose(s -> repository.setHeader(documentId, generation, header, now()))
        .compose(v -> record(channelId, documentId))
        .map(
            record -> {
              notices.headerChanged(record);
              return record.toJson();
            });
  }

  private Future<DocumentRecord> record(String channelId, String documentId) {
    return repository
        .byId(documentId)
        .map(
            found ->
                found
                    .filter(r -> r.channelId().equals(channelId))
                    .orElseThrow(Documents::documentNotFound));
  }

  /** The document's summary, its current snapshot and the updates after it. */
  public Future<Opened> open(Sender sender, String channelId, String documentId, int limit) {
    return access(sender, channelId).compose(channel -> open(channelId, documentId, limit, 3));
  }

  private Future<Opened> open(String channelId, String documentId, int limit, int attempts) {
    return record(channelId, documentId)
        .compose(
            record -> {
              Future<Optional<DocumentSnapshot>> snapshot =
                  record.snapshotSeq() == 0
                      ? Future.succeededFuture(Optional.empty())
                      : repository.snapshot(documentId, record.snapshotSeq());
              return snapshot.compose(
                  found -> {
                    if (record.snapshotSeq() > 0 && found.isEmpty() && attempts > 1) {
                      // Two newer snapshots landed since the record was read: read it again.
                      return open(channelId, documentId, limit, attempts - 1);
                    }
                    return page(documentId, record.snapshotSeq(), limit)
                        .map(
                            updates ->
                                new Opened(
                                    record.toJson(), found.map(DocumentSnapshot::toJson), updates));
                  });
            });
  }

  /**
   * Updates after {@code after}. Those a previous snapshot covers may be deleted: asking for them
   * answers 410 updates-compacted, and the client opens the document again.
   */
  public Future<Page> updates(
      Sender sender, String channelId, String documentId, long after, int limit) {
    return access(sender, channelId)
        .compose(channel -> states.confined(() -> states.of(channelId, documentId)))
        .compose(s -> page(documentId, after, limit))
        .compose(
            page -> {
              if (!page.updates().isEmpty()) {
                return Future.succeededFuture(page);
              }
              return record(channelId, documentId)
                  .map(
                      record -> {
                        if (after < record.previousSnapshotSeq()) {
                          throw new ApiError(
                              410,
                              "updates-compacted",
                              "Those updates are in a snapshot now; open the document again",
                              new JsonObject().put("snapshotSeq", record.snapshotSeq()));
                        }
                        return page;
                      });
            });
  }

  /** At most {@code limit} updates and about {@link #PAGE_BYTES} of them (at least one). */
  private Future<Page> page(String documentId, long after, int limit) {
    return repository
        .updates(documentId, after + 1, limit + 1)
        .map(
            found -> {
              List<JsonObject> page = new ArrayList<>();
              long bytes = 0;
              for (DocumentUpdate update : found) {
                if (page.size() == limit
                    || (!page.isEmpty() && bytes + update.ciphertext().length > PAGE_BYTES)) {
                  return new Page(page, true);
                }
                bytes += update.ciphertext().length;
                page.add(update.toJson());
              }
              return new Page(page, false);
            });
  }

  // ---- updates ----------------------------------------------------------------------------

  /**
   * Appends an update at the next seq. The device numbers its updates 1, 2, …: a number already
   * stored answers with its seq ({@code duplicate}), a gap 409 client-seq-gap with the expected
   * one.
   */
  public Future<Accepted> append(
      Sender sender,
      String channelId,
      String documentId,
      long generation,
      long clientSeq,
      byte[] ciphertext,
      byte[] signature) {
    return access(sender, channelId)
        .compose(
            channel -> {
              requireGeneration(channel, generation);
              return states.confined(
                  () ->
                      states
                          .of(channelId, documentId)
                          .compose(
                              s ->
                                  s.serially(
                                      () ->
                                          append(
                                              s,
                                              new DocumentUpdate(
                                                  documentId,
                                                  0,
                                                  generation,
                                                  sender.user().id(),
                                                  sender.deviceId(),
                                                  clientSeq,
                                                  ciphertext,
                                                  signature,
                                                  now())))));
            });
  }

  private Future<Accepted> append(DocumentState s, DocumentUpdate draft) {
    DocumentRecord.ClientMark last = s.lastOf(draft.authorDeviceId());
    if (draft.clientSeq() <= last.clientSeq()) {
      return resent(s, draft, last);
    }
    if (draft.clientSeq() > last.clientSeq() + 1) {
      // This node's marks are hints: another node may have stored the missing ones.
      return states
          .catchUp(s)
          .map(
              caughtUp -> {
                long expected = s.lastOf(draft.authorDeviceId()).clientSeq() + 1;
                if (draft.clientSeq() > expected) {
                  throw new ApiError(
                      409,
                      "client-seq-gap",
                      "This device's next update to the document is clientSeq " + expected,
                      new JsonObject().put("expected", expected));
                }
                return caughtUp;
              })
          .compose(caughtUp -> append(s, draft));
    }
    DocumentUpdate update = withSeq(draft, s.lastSeq + 1);
    return repository
        .insert(update)
        .compose(
            inserted -> {
              if (!inserted) {
                // Another node took the seq, or this very update is in already: read forward.
                return states.catchUp(s).compose(caughtUp -> append(s, draft));
              }
              s.applied(update);
              return repository
                  .recordUpdate(s.id, update)
                  .map(
                      v -> {
                        notices.updated(s.channelId, update);
                        return new Accepted(update.seq(), false);
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
   * A clientSeq already stored: the last one's seq is in the state; an older one is looked up, and
   * one whose update a snapshot has replaced answers with that snapshot's coversSeq.
   */
  private Future<Accepted> resent(
      DocumentState s, DocumentUpdate draft, DocumentRecord.ClientMark last) {
    if (draft.clientSeq() == last.clientSeq()) {
      return Future.succeededFuture(new Accepted(last.seq(), true));
    }
    return repository
        .byClientSeq(s.id, draft.authorDeviceId(), draft.clientSeq())
        .map(found -> new Accepted(found.map(DocumentUpdate::seq).orElse(s.snapshotSeq), true));
  }

  private static DocumentUpdate withSeq(DocumentUpdate draft, long seq) {
    return new DocumentUpdate(
        draft.documentId(),
        seq,
        draft.generation(),
        draft.authorUserId(),
        draft.authorDeviceId(),
        draft.clientSeq(),
        draft.ciphertext(),
        draft.signature(),
        draft.createdAt());
  }

  // ---- snapshots --------------------------------------------------------------------------

  /**
   * Keeps a snapshot covering {@code coversSeq} if that is beyond the current one (409
   * snapshot-stale otherwise); the current one becomes the previous, and the snapshot before it and
   * the updates the previous one covers are deleted.
   */
  public Future<Long> snapshot(
      Sender sender,
      String channelId,
      String documentId,
      long coversSeq,
      long generation,
      byte[] ciphertext,
      byte[] signature) {
    DocumentSnapshot snapshot =
        new DocumentSnapshot(
            documentId,
            coversSeq,
            generation,
            sender.user().id(),
            sender.deviceId(),
            ciphertext,
            signature,
            now());
    return access(sender, channelId)
        .compose(
            channel -> {
              requireGeneration(channel, generation);
              return states.confined(
                  () ->
                      states
                          .of(channelId, documentId)
                          .compose(s -> s.serially(() -> keep(s, snapshot))));
            })
        .map(
            kept -> {
              notices.snapshot(channelId, documentId, coversSeq);
              return coversSeq;
            });
  }

  private Future<Void> keep(DocumentState s, DocumentSnapshot snapshot) {
    return record(s.channelId, s.id)
        .compose(
            record -> {
              s.snapshotSeq = record.snapshotSeq();
              if (snapshot.coversSeq() <= record.snapshotSeq()) {
                throw snapshotStale(record.snapshotSeq());
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
                          throw snapshotStale(snapshot.coversSeq());
                        }
                        return repository.advanceSnapshot(
                            s.id, record.snapshotSeq(), snapshot.coversSeq());
                      })
                  .compose(
                      advanced -> {
                        if (!advanced) {
                          // Another node's snapshot landed meanwhile: ours goes, the caller
                          // retries.
                          return repository
                              .deleteSnapshot(s.id, snapshot.coversSeq())
                              .compose(
                                  v -> Future.failedFuture(snapshotStale(snapshot.coversSeq())));
                        }
                        s.snapshotSeq = snapshot.coversSeq();
                        return compact(s.id, record);
                      });
            });
  }

  /**
   * What the previous snapshot (the record's current one) covers goes: the snapshot before it and
   * the updates up to it. A failure here leaves garbage, never a hole: it is only logged.
   */
  private Future<Void> compact(String documentId, DocumentRecord before) {
    long previous = before.snapshotSeq();
    long older = before.previousSnapshotSeq();
    if (previous == 0) {
      return Future.succeededFuture();
    }
    Future<Void> snapshot =
        older == 0 ? Future.succeededFuture() : repository.deleteSnapshot(documentId, older);
    return Future.all(snapshot, repository.deleteUpdates(documentId, older + 1, previous))
        .<Void>mapEmpty()
        .recover(e -> Future.succeededFuture());
  }

  private static ApiError snapshotStale(long current) {
    return new ApiError(
        409,
        "snapshot-stale",
        "A snapshot covering seq " + current + " or later is stored already",
        new JsonObject().put("snapshotSeq", current));
  }

  // ---- versions ---------------------------------------------------------------------------

  public Future<JsonObject> addVersion(
      Sender sender,
      String channelId,
      String documentId,
      long generation,
      byte[] ciphertext,
      byte[] signature) {
    return access(sender, channelId)
        .compose(
            channel -> {
              requireGeneration(channel, generation);
              return states.confined(
                  () ->
                      states
                          .of(channelId, documentId)
                          .compose(
                              s ->
                                  s.serially(
                                      () ->
                                          states
                                              .catchUp(s)
                                              .compose(
                                                  c ->
                                                      addVersion(
                                                          s,
                                                          sender,
                                                          generation,
                                                          ciphertext,
                                                          signature)))));
            })
        .map(
            version -> {
              notices.version(channelId, version);
              return version.toJson();
            });
  }

  private Future<DocumentVersion> addVersion(
      DocumentState s, Sender sender, long generation, byte[] ciphertext, byte[] signature) {
    Future<Long> known =
        s.versions >= 0 ? Future.succeededFuture(s.versions) : countVersions(s.id, 1);
    return known.compose(
        count -> {
          DocumentVersion version =
              new DocumentVersion(
                  s.id,
                  count + 1,
                  Ids.newId(),
                  s.lastSeq,
                  generation,
                  sender.user().id(),
                  sender.deviceId(),
                  ciphertext,
                  signature,
                  now());
          return repository
              .insert(version)
              .compose(
                  inserted -> {
                    if (!inserted) {
                      // Another node numbered a version meanwhile: count again.
                      s.versions = -1;
                      return addVersion(s, sender, generation, ciphertext, signature);
                    }
                    s.versions = count + 1;
                    return Future.succeededFuture(version);
                  });
        });
  }

  private Future<Long> countVersions(String documentId, long from) {
    return repository
        .versions(documentId, from, VERSION_PAGE)
        .compose(
            page ->
                page.size() == VERSION_PAGE
                    ? countVersions(documentId, from + VERSION_PAGE)
                    : Future.succeededFuture(from - 1 + page.size()));
  }

  public Future<List<JsonObject>> versions(Sender sender, String channelId, String documentId) {
    return access(sender, channelId)
        .compose(channel -> states.confined(() -> states.of(channelId, documentId)))
        .compose(s -> allVersions(documentId, 1, new ArrayList<>()));
  }

  private Future<List<JsonObject>> allVersions(
      String documentId, long from, List<JsonObject> into) {
    return repository
        .versions(documentId, from, VERSION_PAGE)
        .compose(
            page -> {
              page.forEach(v -> into.add(v.toJson()));
              return page.size() == VERSION_PAGE
                  ? allVersions(documentId, from + VERSION_PAGE, into)
                  : Future.succeededFuture(into);
            });
  }

  // ---- presence ---------------------------------------------------------------------------

  /** The sealed position of a presence frame (at most 4 KiB, as the whole frame). */
  public static byte[] presenceCiphertext(JsonObject frame) {
    return Sealed.ciphertext(
        frame, "ciphertext", 4096, Sealed.tooLarge("presence-too-large", "ciphertext", 4096));
  }

  /** Relays an encrypted presence to the channel's other connected member devices; never stored. */
  public Future<Void> relayPresence(
      Sender sender, String channelId, String documentId, long generation, byte[] ciphertext) {
    return access(sender, channelId)
        .compose(channel -> states.confined(() -> states.of(channelId, documentId)))
        .map(
            s -> {
              notices.presence(
                  channelId,
                  documentId,
                  sender.user().id(),
                  sender.deviceId(),
                  generation,
                  org.liaison.server.api.Base64Field.encode(ciphertext));
              return null;
            });
  }
}
