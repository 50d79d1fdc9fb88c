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
 * nodes; this node's {@link DocumentStates} only save reads. This class is the entry point and
 * reads each request top to bottom; the jobs live beside it: {@link ChannelDocumentList} (a
 * channel's list and its limit), {@link UpdateAppends} (ordering and idempotence), {@link
 * Compaction} (snapshots), {@link DocumentVersions}, {@link DocumentNotices} (the frames).
 */
public final class Documents {
  private static final long PAGE_BYTES = 4L << 20;

  private final DeliveryService delivery;
  private final DocumentRepository repository;
  private final DocumentStates states;
  private final DocumentNotices notices;
  private final Clock clock;
  private final ChannelDocumentList lists;
  private final UpdateAppends appends;
  private final Compaction compaction;
  private final DocumentVersions versions;

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
    this.lists = new ChannelDocumentList(repository, maxPerChannel);
    this.appends = new UpdateAppends(repository, states, notices);
    this.compaction = new Compaction(repository, states);
    this.versions = new DocumentVersions(repository, states);
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
              return states.confined(() -> lists.add(record));
            })
        .map(
            record -> {
              notices.created(record);
              return record.toJson();
            });
  }

  /** The channel's documents in the order they were made. */
  public Future<List<JsonObject>> list(Sender sender, String channelId) {
    return access(sender, channelId)
        .compose(channel -> states.confined(() -> lists.ids(channelId)))
        .compose(repository::byIds)
        .map(records -> records.stream().map(DocumentRecord::toJson).toList());
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
        .compose(v -> repository.inChannel(channelId, documentId))
        .map(
            record -> {
              notices.headerChanged(record);
              return record.toJson();
            });
  }

  /** The document's summary, its current snapshot and the updates after it. */
  public Future<Opened> open(Sender sender, String channelId, String documentId, int limit) {
    return access(sender, channelId).compose(channel -> open(channelId, documentId, limit, 3));
  }

  private Future<Opened> open(String channelId, String documentId, int limit, int attempts) {
    return repository
        .inChannel(channelId, documentId)
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
              return repository
                  .inChannel(channelId, documentId)
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
    DocumentUpdate draft =
        new DocumentUpdate(
            documentId,
            0,
            generation,
            sender.user().id(),
            sender.deviceId(),
            clientSeq,
            ciphertext,
            signature,
            now());
    return write(sender, channelId, documentId, generation, s -> appends.append(s, draft));
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
    return write(sender, channelId, documentId, generation, s -> compaction.keep(s, snapshot))
        .map(
            kept -> {
              notices.snapshot(channelId, documentId, coversSeq);
              return coversSeq;
            });
  }

  /**
   * A write to a document by a member: after the access and generation checks, on the states'
   * context, behind the document's earlier writes on this node.
   */
  private <T> Future<T> write(
      Sender sender,
      String channelId,
      String documentId,
      long generation,
      java.util.function.Function<DocumentState, Future<T>> work) {
    return access(sender, channelId)
        .compose(
            channel -> {
              requireGeneration(channel, generation);
              return states.confined(
                  () ->
                      states
                          .of(channelId, documentId)
                          .compose(s -> s.serially(() -> work.apply(s))));
            });
  }

  // ---- versions ---------------------------------------------------------------------------

  public Future<JsonObject> addVersion(
      Sender sender,
      String channelId,
      String documentId,
      long generation,
      byte[] ciphertext,
      byte[] signature) {
    DocumentVersion draft =
        new DocumentVersion(
            documentId,
            0,
            Ids.newId(),
            0,
            generation,
            sender.user().id(),
            sender.deviceId(),
            ciphertext,
            signature,
            now());
    return write(sender, channelId, documentId, generation, s -> versions.add(s, draft))
        .map(
            version -> {
              notices.version(channelId, version);
              return version.toJson();
            });
  }

  public Future<List<JsonObject>> versions(Sender sender, String channelId, String documentId) {
    return access(sender, channelId)
        .compose(channel -> states.confined(() -> states.of(channelId, documentId)))
        .compose(s -> versions.all(documentId));
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
