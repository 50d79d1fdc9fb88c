package org.liaison.client.documents;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.liaison.client.LiaisonClient;
import org.liaison.client.LiaisonException;
import org.liaison.client.channels.DeviceKeys;
import org.liaison.client.channels.LiaisonDevice;
import org.liaison.client.documents.engine.AutomergeEngine;
import org.liaison.client.documents.engine.DocumentEngine.DocumentEditor;
import org.liaison.crypto.documents.DocumentAad;
import org.liaison.crypto.documents.DocumentCipher;
import org.liaison.crypto.documents.DocumentCryptoException;
import org.liaison.crypto.documents.DocumentKeyring;
import org.liaison.crypto.documents.DocumentSignature;
import org.liaison.crypto.mls.ChannelSession;

/**
 * A channel's shared documents, for one device (docs/documents.md): lists them (decrypting
 * headers), opens them (snapshot and updates, each verified against its author's leaf key, applied
 * in one batch), changes them (one signed update per change, numbered per device and document),
 * saves and lists named versions, and follows {@code document-updated} frames for the documents it
 * holds open. Keys come from the channel's keyring for the device's current epoch; this device
 * writes the keyring after its own commits.
 *
 * <p>One per device: it takes the device's commit, member-change and document-frame hooks.
 */
public final class Documents {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Documents.class);

  /** Compaction (docs/documents.md): a snapshot after this many updates since the last one. */
  static final int SNAPSHOT_EVERY = 200;

  static final int SNAPSHOT_BYTES = 256 * 1024;
  private static final int PAGE = 500;
  private static final int SEND_ATTEMPTS = 5;

  /** nonce, one padded block, tag: the smallest sealed record. */
  private static final int PLACEHOLDER_BYTES =
      DocumentCipher.NONCE_LENGTH + 256 + DocumentCipher.TAG_LENGTH;

  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

  private final int snapshotEvery;
  private final LiaisonDevice device;
  private final LiaisonClient client;
  private final DocumentKeyStore store;
  private final DocumentKeyrings keyrings;
  private final Map<String, OpenDocument> following = new ConcurrentHashMap<>();
  private final Map<String, ChannelKeys> channelKeys = new ConcurrentHashMap<>();

  /** What reading and writing a channel's documents needs from its current epoch. */
  private record ChannelKeys(DocumentKeyring keyring, String selfDeviceId, long epoch) {}

  public Documents(LiaisonDevice device, DocumentKeyStore store) {
    this(device, store, SNAPSHOT_EVERY);
  }

  /** With another compaction interval (tests). */
  Documents(LiaisonDevice device, DocumentKeyStore store, int snapshotEvery) {
    this.snapshotEvery = snapshotEvery;
    this.device = device;
    this.client = device.client();
    this.store = store;
    this.keyrings = new DocumentKeyrings(client, store);
    device.onOwnCommit(
        (channelId, before, after) -> keyrings.afterCommit(channelId, before, after));
    device.onDocumentFrame(this::onFrame);
    device.onMembersChanged(
        changed -> {
          // Whoever holds the generations makes the new epoch's keyring readable soon: a CLI run
          // that rejoined holds none of its own until it is written.
          if (!store.keyring(changed.channelId()).generations().isEmpty()) {
            keys(changed.channelId())
                .onFailure(
                    e ->
                        LOG.warn(
                            "channel {}: document keyring: {}", changed.channelId(), e.toString()));
          }
        });
  }

  // ---- listing and creating -----------------------------------------------------------------

  public Future<List<DocumentSummary>> list(String channelId) {
    return keys(channelId)
        .compose(
            keys ->
                client
                    .documents(channelId)
                    .map(
                        items -> {
                          List<DocumentSummary> out = new ArrayList<>();
                          for (int i = 0; i < items.size(); i++) {
                            JsonObject item = items.getJsonObject(i);
                            out.add(DocumentSummary.of(item, header(keys, item)));
                          }
                          return out;
                        }));
  }

  /** Creates a document from a template (its header, then its first update). */
  public Future<DocumentSummary> create(String channelId, String title, String template) {
    DocumentTemplates.requireKnown(template);
    return keys(channelId)
        .compose(
            keys -> {
              DocumentKeyring.Generation newest = newest(keys);
              // The header's key and AAD need the document id, which the server makes: create
              // with a placeholder of a sealed header's shape, then write the sealed header.
              DocumentHeader header = new DocumentHeader(title, template);
              byte[] placeholder = new byte[PLACEHOLDER_BYTES];
              RANDOM.nextBytes(placeholder);
              return client
                  .createDocument(channelId, newest.g(), placeholder)
                  .compose(
                      created -> {
                        String id = created.getString("id");
                        byte[] sealed =
                            DocumentCipher.seal(
                                newest.key(),
                                new DocumentAad.Header(id, newest.g()),
                                header.encode());
                        return client.putDocumentHeader(channelId, id, newest.g(), sealed);
                      })
                  .compose(
                      summary -> {
                        OpenDocument doc =
                            new OpenDocument(
                                channelId,
                                summary.getString("id"),
                                header,
                                AutomergeEngine.empty(),
                                0,
                                newest.g());
                        return change(
                                doc, edits -> DocumentTemplates.initialise(edits, template, title))
                            .eventually(
                                () -> {
                                  doc.close();
                                  return Future.succeededFuture();
                                })
                            .map(seq -> DocumentSummary.of(summary, Optional.of(header)));
                      });
            });
  }

  // ---- opening ------------------------------------------------------------------------------

  /** Reads the snapshot and every update after it, verifies them, and loads them in one batch. */
  public Future<OpenDocument> open(String channelId, String documentId) {
    return keys(channelId)
        .compose(
            keys ->
                client
                    .document(channelId, documentId)
                    .compose(
                        json -> {
                          JsonObject summary = json.getJsonObject("document");
                          DocumentHeader header =
                              header(keys, summary)
                                  .orElseThrow(
                                      () ->
                                          new DocumentException(
                                              "unreadable",
                                              "the document's header does not open with this"
                                                  + " channel's keys"));
                          OpenDocument doc = load(keys, channelId, documentId, header, json);
                          return readUpdates(
                                  keys,
                                  doc,
                                  json.getJsonArray("updates"),
                                  json.getBoolean("more", false))
                              .map(v -> doc);
                        }));
  }

  /** Applies updates this device has not read yet (after {@link OpenDocument#lastSeq}). */
  public Future<OpenDocument> refresh(OpenDocument doc) {
    return keys(doc.channelId())
        .compose(keys -> readUpdates(keys, doc, new JsonArray(), true))
        .map(v -> doc);
  }

  /** Keeps the document current from {@code document-updated} frames until {@link #unfollow}. */
  public void follow(OpenDocument doc) {
    following.put(doc.id(), doc);
  }

  public void unfollow(OpenDocument doc) {
    following.remove(doc.id());
  }

  private OpenDocument load(
      ChannelKeys keys,
      String channelId,
      String documentId,
      DocumentHeader header,
      JsonObject json) {
    JsonObject snapshot = json.getJsonObject("snapshot");
    if (snapshot == null) {
      return new OpenDocument(channelId, documentId, header, AutomergeEngine.empty(), 0, -1);
    }
    long coversSeq = snapshot.getLong("coversSeq");
    long generation = snapshot.getLong("generation");
    String author = snapshot.getString("authorDeviceId");
    byte[] saved =
        openSigned(
            keys,
            channelId,
            new DocumentAad.Snapshot(documentId, generation, coversSeq, author),
            snapshot);
    return new OpenDocument(
        channelId, documentId, header, AutomergeEngine.load(saved), coversSeq, generation);
  }

  /**
   * Applies {@code first} (already fetched) and then pages of updates after the document's last seq
   * while the server says there are more. Updates that do not verify are skipped and listed in
   * {@link OpenDocument#refused}; the others are applied in one batch per page.
   */
  private Future<Void> readUpdates(
      ChannelKeys keys, OpenDocument doc, JsonArray first, boolean more) {
    apply(keys, doc, first);
    if (!more) {
      return Future.succeededFuture();
    }
    return client
        .documentUpdates(doc.channelId(), doc.id(), doc.lastSeq(), PAGE)
        .compose(
            page ->
                page.getJsonArray("updates").isEmpty()
                    ? Future.succeededFuture()
                    : readUpdates(
                        keys, doc, page.getJsonArray("updates"), page.getBoolean("more", false)),
            e ->
                LiaisonException.hasCode(e, "updates-compacted")
                    ? catchUpFromSnapshot(keys, doc)
                    : Future.failedFuture(e));
  }

  /**
   * The updates after this copy's last seq were compacted away (another member wrote two snapshots
   * meanwhile): merge the current snapshot, which holds every change it covers (a save applies as
   * changes), then read the updates after it.
   */
  private Future<Void> catchUpFromSnapshot(ChannelKeys keys, OpenDocument doc) {
    return client
        .document(doc.channelId(), doc.id())
        .compose(
            json -> {
              JsonObject snapshot = json.getJsonObject("snapshot");
              if (snapshot != null && snapshot.getLong("coversSeq") > doc.lastSeq()) {
                long coversSeq = snapshot.getLong("coversSeq");
                DocumentAad.Snapshot aad =
                    new DocumentAad.Snapshot(
                        doc.id(),
                        snapshot.getLong("generation"),
                        coversSeq,
                        snapshot.getString("authorDeviceId"));
                doc.applyChanges(openSigned(keys, doc.channelId(), aad, snapshot));
                doc.read(coversSeq);
                doc.snapshotWritten(coversSeq, aad.generation());
              }
              return readUpdates(
                  keys, doc, json.getJsonArray("updates"), json.getBoolean("more", false));
            });
  }

  private void apply(ChannelKeys keys, OpenDocument doc, JsonArray updates) {
    ByteArrayOutputStream batch = new ByteArrayOutputStream();
    for (int i = 0; i < updates.size(); i++) {
      JsonObject update = updates.getJsonObject(i);
      long seq = update.getLong("seq");
      if (seq <= doc.lastSeq()) {
        continue;
      }
      String author = update.getString("authorDeviceId");
      long clientSeq = update.getLong("clientSeq");
      try {
        batch.writeBytes(
            openSigned(
                keys,
                doc.channelId(),
                new DocumentAad.Update(doc.id(), update.getLong("generation"), author, clientSeq),
                update));
        if (author.equals(keys.selfDeviceId())) {
          // Another run of this device sent it: continue its numbering.
          store.advanceClientSeq(doc.id(), clientSeq);
        }
      } catch (DocumentException | DocumentCryptoException | IllegalArgumentException e) {
        doc.refuse(new OpenDocument.Refused(seq, author, e.getMessage()));
      }
      doc.read(seq);
    }
    if (batch.size() > 0) {
      doc.applyChanges(batch.toByteArray());
    }
  }

  // ---- changing -----------------------------------------------------------------------------

  /**
   * Makes one change and sends it as one update; answers the server's seq for it, or 0 when the
   * edits changed nothing. The update is under the channel's newest generation.
   */
  public Future<Long> change(OpenDocument doc, Consumer<DocumentEditor> edits) {
    if (doc.divergedBecause() != null) {
      return Future.failedFuture(
          new DocumentException(
              "document-diverged",
              "an earlier change was refused ("
                  + doc.divergedBecause()
                  + ") and later ones depend on it: open the document again"));
    }
    byte[] made = doc.change(edits);
    if (made.length == 0 && !doc.hasUnsent()) {
      return Future.succeededFuture(0L);
    }
    doc.queueUnsent(made);
    // One send at a time per document; a failed send leaves its changes queued, and the next
    // change carries them too (later changes depend on them, so they must not go missing).
    return doc.serial(
        () -> {
          byte[] batch = doc.unsent();
          if (batch.length == 0) {
            return Future.succeededFuture(0L);
          }
          return keys(doc.channelId())
              .compose(keys -> send(keys, doc, batch, store.nextClientSeq(doc.id()), 0))
              .map(
                  seq -> {
                    doc.sent(batch.length);
                    return seq;
                  })
              .onFailure(
                  e -> {
                    // Refused for good (too large, policy, ...): kept queued it would block every
                    // later change, dropped the later ones would miss their dependency.
                    if (e instanceof LiaisonException refused
                        && refused.status() >= 400
                        && refused.status() < 500) {
                      doc.diverge(refused.code());
                    }
                  })
              .compose(seq -> catchUpAfter(doc, seq).map(v -> seq))
              .compose(seq -> maybeSnapshot(doc).map(v -> seq));
        });
  }

  /** Sets one field by path (e.g. {@code activities/<id>/status}) and sends the change. */
  public Future<Long> set(OpenDocument doc, List<String> path, Object value) {
    return change(doc, edits -> edits.set(path, value));
  }

  /**
   * Renames a document: sets {@code meta/title}, then writes the header the channel's list shows
   * (sealed under the newest generation; members get {@code document-header}), as the browser does
   * after a title edit. A blank title is refused ({@code title-required}).
   */
  public Future<DocumentSummary> rename(OpenDocument doc, String title) {
    if (title == null || title.isBlank()) {
      return Future.failedFuture(new DocumentException("title-required", "a title is required"));
    }
    DocumentHeader header = new DocumentHeader(title, doc.header().template());
    return set(doc, List.of("meta", "title"), title)
        .compose(seq -> keys(doc.channelId()))
        .compose(
            keys -> {
              DocumentKeyring.Generation newest = newest(keys);
              byte[] sealed =
                  DocumentCipher.seal(
                      newest.key(), new DocumentAad.Header(doc.id(), newest.g()), header.encode());
              return client.putDocumentHeader(doc.channelId(), doc.id(), newest.g(), sealed);
            })
        .map(summary -> DocumentSummary.of(summary, Optional.of(header)));
  }

  /**
   * Seals, signs and posts one update. The server's answers steer the numbering: {@code
   * client-seq-gap} names the number it expects (numbers taken by a run that stopped before
   * sending), and a {@code duplicate} for an update never sent means the counter was behind (a lost
   * state file): both renumber and send again. The change bytes stay the same.
   */
  private Future<Long> send(
      ChannelKeys keys, OpenDocument doc, byte[] changes, long clientSeq, int attempt) {
    DocumentKeyring.Generation newest = newest(keys);
    DocumentAad.Update aad =
        new DocumentAad.Update(doc.id(), newest.g(), keys.selfDeviceId(), clientSeq);
    byte[] sealed = DocumentCipher.seal(newest.key(), aad, changes);
    byte[] signature = DocumentSignature.sign(identity(), aad, sealed);
    return client
        .postDocumentUpdate(doc.channelId(), doc.id(), newest.g(), clientSeq, sealed, signature)
        .compose(
            ok -> {
              if (!ok.getBoolean("duplicate", false)) {
                return Future.succeededFuture(ok.getLong("seq"));
              }
              return attempt + 1 < SEND_ATTEMPTS
                  ? send(keys, doc, changes, store.nextClientSeq(doc.id()), attempt + 1)
                  : Future.failedFuture(
                      new DocumentException(
                          "client-seq-behind",
                          "the server already holds this device's updates up to beyond "
                              + clientSeq));
            },
            e -> {
              if (LiaisonException.hasCode(e, "client-seq-gap") && attempt + 1 < SEND_ATTEMPTS) {
                JsonObject details = ((LiaisonException) e).details();
                long expected = details == null ? 0 : details.getLong("expected", 0L);
                if (expected > 0) {
                  store.resetClientSeq(doc.id(), expected - 1);
                  return send(keys, doc, changes, store.nextClientSeq(doc.id()), attempt + 1);
                }
              }
              return Future.failedFuture(e);
            });
  }

  /** Reads what others wrote before our update landed, so the document is current again. */
  private Future<Void> catchUpAfter(OpenDocument doc, long seq) {
    if (seq == doc.lastSeq() + 1) {
      doc.read(seq);
      return Future.succeededFuture();
    }
    return refresh(doc).mapEmpty();
  }

  /**
   * Writes a snapshot covering everything read when the log has grown by {@link #SNAPSHOT_EVERY}
   * updates since the last one, or the channel has a newer generation than the snapshot's (lazy
   * re-encryption after a removal). Best effort: a stale snapshot (someone was first) is fine.
   */
  private Future<Void> maybeSnapshot(OpenDocument doc) {
    return keys(doc.channelId())
        .compose(
            keys -> {
              DocumentKeyring.Generation newest = newest(keys);
              boolean due =
                  doc.lastSeq() - doc.snapshotSeq() >= snapshotEvery
                      || (doc.snapshotSeq() > 0 && newest.g() > doc.snapshotGeneration());
              if (!due || !doc.refused().isEmpty()) {
                return Future.<Void>succeededFuture();
              }
              long covers = doc.lastSeq();
              DocumentAad.Snapshot aad =
                  new DocumentAad.Snapshot(doc.id(), newest.g(), covers, keys.selfDeviceId());
              byte[] sealed = DocumentCipher.seal(newest.key(), aad, doc.save());
              byte[] signature = DocumentSignature.sign(identity(), aad, sealed);
              return client
                  .putDocumentSnapshot(
                      doc.channelId(), doc.id(), covers, newest.g(), sealed, signature)
                  .map(
                      ok -> {
                        doc.snapshotWritten(covers, newest.g());
                        return (Void) null;
                      })
                  .recover(e -> Future.succeededFuture());
            });
  }

  // ---- versions -----------------------------------------------------------------------------

  public Future<List<DocumentVersion>> versions(OpenDocument doc) {
    return keys(doc.channelId())
        .compose(
            keys ->
                client
                    .documentVersions(doc.channelId(), doc.id())
                    .map(
                        items -> {
                          List<DocumentVersion> out = new ArrayList<>();
                          for (int i = 0; i < items.size(); i++) {
                            out.add(version(keys, doc, items.getJsonObject(i)));
                          }
                          return out;
                        }));
  }

  /** Saves the document's current heads as a named, signed version. */
  public Future<DocumentVersion> saveVersion(OpenDocument doc, String name, String note) {
    if (name == null || name.isBlank()) {
      return Future.failedFuture(
          new DocumentException("version-name-required", "a version needs a name"));
    }
    return keys(doc.channelId())
        .compose(
            keys -> {
              DocumentKeyring.Generation newest = newest(keys);
              DocumentAad.Version aad =
                  new DocumentAad.Version(doc.id(), newest.g(), keys.selfDeviceId());
              byte[] body =
                  new JsonObject()
                      .put("name", name)
                      .put("heads", new JsonArray(doc.heads()))
                      .put("note", note == null ? "" : note)
                      .encode()
                      .getBytes(StandardCharsets.UTF_8);
              byte[] sealed = DocumentCipher.seal(newest.key(), aad, body);
              byte[] signature = DocumentSignature.sign(identity(), aad, sealed);
              return client
                  .postDocumentVersion(doc.channelId(), doc.id(), newest.g(), sealed, signature)
                  .map(json -> version(keys, doc, json));
            });
  }

  private DocumentVersion version(ChannelKeys keys, OpenDocument doc, JsonObject json) {
    String author = json.getString("authorDeviceId");
    try {
      JsonObject body =
          new JsonObject(
              new String(
                  openSigned(
                      keys,
                      doc.channelId(),
                      new DocumentAad.Version(doc.id(), json.getLong("generation"), author),
                      json),
                  StandardCharsets.UTF_8));
      List<String> heads = new ArrayList<>();
      body.getJsonArray("heads", new JsonArray()).forEach(h -> heads.add(String.valueOf(h)));
      return new DocumentVersion(
          json.getString("id"),
          json.getLong("seq", 0L),
          json.getString("authorUserId"),
          author,
          json.getString("createdAt"),
          body.getString("name", ""),
          heads,
          body.getString("note", ""),
          true);
    } catch (RuntimeException e) {
      return new DocumentVersion(
          json.getString("id"),
          json.getLong("seq", 0L),
          json.getString("authorUserId"),
          author,
          json.getString("createdAt"),
          "",
          List.of(),
          "",
          false);
    }
  }

  // ---- realtime -----------------------------------------------------------------------------

  /**
   * A {@code document-updated} frame for a followed document: the next update is applied from the
   * frame when it carries it; a gap (or an update left out for size) is read over HTTP.
   */
  private void onFrame(JsonObject frame) {
    if (!"document-updated".equals(frame.getString("type"))) {
      return;
    }
    OpenDocument doc = following.get(frame.getString("documentId", ""));
    if (doc == null || !doc.channelId().equals(frame.getString("channelId"))) {
      return;
    }
    long seq = frame.getLong("seq", 0L);
    if (seq <= doc.lastSeq()) {
      return;
    }
    JsonObject update = frame.getJsonObject("update");
    keys(doc.channelId())
        .compose(
            keys -> {
              if (update != null && seq == doc.lastSeq() + 1) {
                apply(keys, doc, new JsonArray().add(update));
                return Future.succeededFuture(doc);
              }
              return refresh(doc);
            })
        .onFailure(
            e ->
                doc.refuse(new OpenDocument.Refused(seq, "", "could not read: " + e.getMessage())));
  }

  // ---- keys and verification ----------------------------------------------------------------

  /**
   * The channel's generations in the device's current epoch. Asked of the session every time (in
   * the channel's queue), so a commit by anyone moves every later record to that epoch's keyring:
   * after a removal, nothing is written under a generation the removed member holds.
   */
  private Future<ChannelKeys> keys(String channelId) {
    return device.withSession(
        channelId,
        session -> {
          ChannelKeys cached = channelKeys.get(channelId);
          if (cached != null && cached.epoch() == session.epoch()) {
            return Future.succeededFuture(cached);
          }
          store.rememberLeaves(channelId, leaves(session));
          return keyrings
              .current(channelId, session)
              .map(
                  keyring -> {
                    ChannelKeys keys =
                        new ChannelKeys(keyring, identity().deviceId(), session.epoch());
                    channelKeys.put(channelId, keys);
                    return keys;
                  });
        });
  }

  private static Map<String, byte[]> leaves(ChannelSession session) {
    Map<String, byte[]> leaves = new HashMap<>();
    session.members().forEach(m -> leaves.put(m.deviceId(), m.signatureKey()));
    return leaves;
  }

  private static DocumentKeyring.Generation newest(ChannelKeys keys) {
    return keys.keyring()
        .newest()
        .orElseThrow(
            () -> new DocumentException("no-generation", "the channel has no document keys yet"));
  }

  private static byte[] generationKey(ChannelKeys keys, long generation) {
    return keys.keyring()
        .generation(generation)
        .orElseThrow(
            () ->
                new DocumentException(
                    "no-key", "no key for generation " + generation + " in this channel's keyring"))
        .key();
  }

  private Optional<DocumentHeader> header(ChannelKeys keys, JsonObject summary) {
    try {
      long generation = summary.getLong("generation");
      byte[] sealed = LiaisonClient.unb64(summary.getString("header", ""));
      return Optional.of(
          DocumentHeader.decode(
              DocumentCipher.open(
                  generationKey(keys, generation),
                  new DocumentAad.Header(summary.getString("id"), generation),
                  sealed)));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * Opens a signed record (update, snapshot, version): the author's signature must verify against a
   * leaf key this device has seen for that device in the channel, then the AEAD must open.
   */
  private byte[] openSigned(
      ChannelKeys keys, String channelId, DocumentAad aad, JsonObject record) {
    byte[] sealed = LiaisonClient.unb64(record.getString("ciphertext", ""));
    byte[] signature = LiaisonClient.unb64(record.getString("signature", ""));
    String author = record.getString("authorDeviceId", "");
    boolean verified =
        store.leafKeys(channelId, author).stream()
            .anyMatch(key -> DocumentSignature.verify(key, aad, sealed, signature));
    if (!verified) {
      throw new DocumentException(
          "unverified", "could not be verified: no leaf key of device " + author + " signed it");
    }
    if (aad instanceof DocumentAad.OfDocument record2) {
      return DocumentCipher.open(generationKey(keys, record2.generation()), aad, sealed);
    }
    throw new IllegalArgumentException("not a document record");
  }

  private org.liaison.crypto.mls.DeviceIdentity identity() {
    return device
        .keys()
        .map(DeviceKeys::identity)
        .orElseThrow(() -> new IllegalStateException("no device keys"));
  }
}
