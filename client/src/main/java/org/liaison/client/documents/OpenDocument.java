package org.liaison.client.documents;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.liaison.client.documents.engine.DocumentEngine;

/**
 * A document opened by this device: its CRDT state, how far into the server's log it has read, and
 * which records it refused. Changed only on the device's context (opening, {@link
 * Documents#change}, followed frames); read it after the future that changed it completed.
 */
public final class OpenDocument implements AutoCloseable {
  /** A record that was not applied: it did not open or its author's signature did not verify. */
  public record Refused(long seq, String authorDeviceId, String reason) {}

  private final String channelId;
  private final String id;
  private final DocumentHeader header;
  private final DocumentEngine engine;
  private final List<Refused> refused = new ArrayList<>();
  private final java.io.ByteArrayOutputStream unsent = new java.io.ByteArrayOutputStream();
  private io.vertx.core.Future<Void> sends = io.vertx.core.Future.succeededFuture();
  private String divergedBecause;
  private long lastSeq;
  private long snapshotSeq;
  private long snapshotGeneration;

  OpenDocument(
      String channelId,
      String id,
      DocumentHeader header,
      DocumentEngine engine,
      long snapshotSeq,
      long snapshotGeneration) {
    this.channelId = channelId;
    this.id = id;
    this.header = header;
    this.engine = engine;
    this.snapshotSeq = snapshotSeq;
    this.snapshotGeneration = snapshotGeneration;
    this.lastSeq = snapshotSeq;
  }

  public String channelId() {
    return channelId;
  }

  public String id() {
    return id;
  }

  public DocumentHeader header() {
    return header;
  }

  /** The server seq of the last update read (applied or refused). */
  public synchronized long lastSeq() {
    return lastSeq;
  }

  public synchronized JsonObject json() {
    return engine.toJson();
  }

  /** The document at a version's heads. */
  public synchronized JsonObject json(List<String> heads) {
    return engine.toJson(heads);
  }

  /** The rich-text marks of its texts by path, at these heads (null: now). */
  public synchronized java.util.Map<String, List<org.liaison.client.documents.engine.TextMark>>
      marks(List<String> heads) {
    return engine.marks(heads);
  }

  public synchronized List<String> heads() {
    return engine.heads();
  }

  public synchronized List<Refused> refused() {
    return List.copyOf(refused);
  }

  /** Why the server refused a local change for good, or null. */
  synchronized String divergedBecause() {
    return divergedBecause;
  }

  synchronized void diverge(String because) {
    divergedBecause = because;
  }

  /** Local changes not acknowledged by the server yet, in the order they were made. */
  synchronized void queueUnsent(byte[] changes) {
    unsent.writeBytes(changes);
  }

  synchronized boolean hasUnsent() {
    return unsent.size() > 0;
  }

  synchronized byte[] unsent() {
    return unsent.toByteArray();
  }

  /** The first {@code length} unsent bytes were stored by the server. */
  synchronized void sent(int length) {
    byte[] rest = java.util.Arrays.copyOfRange(unsent.toByteArray(), length, unsent.size());
    unsent.reset();
    unsent.writeBytes(rest);
  }

  /** Runs {@code task} after the document's earlier sends, whether they failed or not. */
  synchronized <T> io.vertx.core.Future<T> serial(
      java.util.function.Supplier<io.vertx.core.Future<T>> task) {
    io.vertx.core.Future<T> result =
        sends.transform(
            ignored -> {
              try {
                return task.get();
              } catch (RuntimeException e) {
                return io.vertx.core.Future.failedFuture(e);
              }
            });
    sends = result.transform(ignored -> io.vertx.core.Future.succeededFuture());
    return result;
  }

  synchronized void applyChanges(byte[] changes) {
    engine.applyChanges(changes);
  }

  synchronized byte[] change(java.util.function.Consumer<DocumentEngine.DocumentEditor> edits) {
    return engine.change(edits);
  }

  synchronized byte[] save() {
    return engine.save();
  }

  synchronized void read(long seq) {
    lastSeq = Math.max(lastSeq, seq);
  }

  synchronized void refuse(Refused record) {
    refused.add(record);
  }

  synchronized long snapshotSeq() {
    return snapshotSeq;
  }

  synchronized long snapshotGeneration() {
    return snapshotGeneration;
  }

  synchronized void snapshotWritten(long coversSeq, long generation) {
    snapshotSeq = coversSeq;
    snapshotGeneration = generation;
  }

  @Override
  public synchronized void close() {
    engine.close();
  }
}
