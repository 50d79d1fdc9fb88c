package org.liaison.client.documents;

import java.io.ByteArrayOutputStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.liaison.client.documents.engine.AutomergeEngine;
import org.liaison.client.documents.engine.DocumentEngine;
import org.liaison.crypto.documents.DocumentAad;
import org.liaison.crypto.documents.DocumentCipher;
import org.liaison.crypto.documents.DocumentSignature;
import org.liaison.crypto.mls.DeviceIdentity;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Opening a shared document in the Java SDK (docs/benchmarks.md, "shared documents"). The setup
 * writes an action plan with {@code edits} edits through the SDK's engine ({@link
 * DocumentTemplates#initialise}, then {@link DocumentEngine.DocumentEditor#set} on text and status
 * fields, one change per edit), sends each change as its own update (the SDK's batching when each
 * send is acknowledged before the next change), and seals and signs each as {@code Documents.send}
 * does. The benchmarks then do what {@code Documents.open} does once the server's JSON has arrived:
 * verify each record's signature against the author's leaf key, open its AEAD, load the snapshot
 * and apply the updates one batch per page of 500. The HTTP fetch is not measured here (the browser
 * figure includes it).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DocumentOpenBenchmark {
  private static final String DOC = "0123456789abcdef0123456789abcdef";
  private static final long GENERATION = 1;
  private static final int PAGE = 500;
  private static final int TAIL = 200;
  private static final int REMOTE = 500;
  private static final List<List<String>> TEXTS =
      List.of(
          List.of("context", "summary"),
          List.of("context", "localDrivers"),
          List.of("coordination", "notes"));
  private static final List<String> STATUSES = List.of("draft", "consultation", "adopted");

  @Param({"10000"})
  public int edits;

  /**
   * The words typed: {@code repeated} cycles through 12 words (compresses far better than prose),
   * {@code random} makes words of random letters (compresses worse): real text lies between.
   */
  @Param({"repeated"})
  public String text;

  /** A sealed, signed record as the server hands it back. */
  record Sealed(DocumentAad aad, byte[] ciphertext, byte[] signature) {}

  private final byte[] key = new byte[32];
  private final DeviceIdentity author = DeviceIdentity.generate("user-a", "device-a");
  private final List<Sealed> updates = new ArrayList<>();
  private Sealed snapshot;
  private byte[] receiverSaved;

  @Setup(Level.Trial)
  public void write() {
    Words.random = text.equals("random") ? new java.util.Random(1) : null;
    new SecureRandom().nextBytes(key);
    long plainBytes = 0;
    try (AutomergeEngine writer = AutomergeEngine.empty()) {
      List<String> typed = new ArrayList<>(List.of("", "", ""));
      for (int i = 0; i < edits; i++) {
        byte[] change = writer.change(edit(i, typed));
        plainBytes += change.length;
        updates.add(
            seal(new DocumentAad.Update(DOC, GENERATION, author.deviceId(), i + 1), change));
        if (i + 1 == edits - TAIL) {
          snapshot =
              seal(
                  new DocumentAad.Snapshot(DOC, GENERATION, i + 1, author.deviceId()),
                  writer.save());
        }
        if (i + 1 == edits - REMOTE) {
          // The receiver of the apply benchmark: this state plus its own concurrent edits.
          try (AutomergeEngine other = AutomergeEngine.load(writer.save())) {
            for (int j = 0; j < TAIL; j++) {
              other.change(e -> e.set(List.of("meta", "city"), "City " + Words.of()));
            }
            receiverSaved = other.save();
          }
        }
      }
      long sealedBytes = updates.stream().mapToLong(u -> u.ciphertext().length).sum();
      byte[] saved = writer.save();
      System.out.printf(
          "%n[sizes] edits=%d text=%s changes=%d B (plaintext) updates sealed=%d B (+%d B signatures)"
              + " save()=%d B snapshot sealed=%d B (covers %d) text chars=%d%n",
          edits,
          text,
          plainBytes,
          sealedBytes,
          updates.size() * 64L,
          saved.length,
          seal(new DocumentAad.Snapshot(DOC, GENERATION, edits, author.deviceId()), saved)
              .ciphertext()
              .length,
          edits,
          typed.stream().mapToInt(String::length).sum());
    }
  }

  /** Edit i: mostly typing a word into one of three text fields, sometimes a deletion or status. */
  private static java.util.function.Consumer<DocumentEngine.DocumentEditor> edit(
      int i, List<String> typed) {
    if (i == 0) {
      return e -> DocumentTemplates.initialise(e, "liaison/action-plan", "Action plan");
    }
    if (i % 20 == 0) {
      String status = STATUSES.get((i / 20) % STATUSES.size());
      return e -> e.set(List.of("meta", "status"), status);
    }
    int field = i % TEXTS.size();
    String text = typed.get(field);
    String next =
        i % 17 == 0 && text.length() > 8
            ? text.substring(0, text.length() - 6)
            : text + Words.of() + " ";
    typed.set(field, next);
    return e -> e.set(TEXTS.get(field), next);
  }

  private Sealed seal(DocumentAad aad, byte[] plaintext) {
    byte[] sealed = DocumentCipher.seal(key, aad, plaintext);
    return new Sealed(aad, sealed, DocumentSignature.sign(author, aad, sealed));
  }

  /** What {@code Documents.openSigned} does: the signature first, then the AEAD. */
  private byte[] open(Sealed record) {
    DocumentSignature.require(
        author.signaturePublicKey(), record.aad(), record.ciphertext(), record.signature());
    return DocumentCipher.open(key, record.aad(), record.ciphertext());
  }

  /** Every update after no snapshot, applied one batch per page as {@code Documents.apply}. */
  @Benchmark
  public int openWholeLog() {
    try (AutomergeEngine engine = AutomergeEngine.empty()) {
      applyPages(engine, updates);
      return engine.heads().size();
    }
  }

  /** The snapshot covering all but the last 200 edits, then those 200 updates. */
  @Benchmark
  public int openSnapshotPlusTail() {
    try (AutomergeEngine engine = AutomergeEngine.load(open(snapshot))) {
      applyPages(engine, updates.subList(updates.size() - TAIL, updates.size()));
      return engine.heads().size();
    }
  }

  /** The crypto part alone: verifying and opening every update of the log, nothing applied. */
  @Benchmark
  public long verifyAndOpenWholeLog() {
    long bytes = 0;
    for (Sealed record : updates) {
      bytes += open(record).length;
    }
    return bytes;
  }

  /** The signatures alone: verifying every update of the log (Ed25519, Bouncy Castle). */
  @Benchmark
  public int verifyWholeLog() {
    int verified = 0;
    for (Sealed record : updates) {
      if (DocumentSignature.verify(
          author.signaturePublicKey(), record.aad(), record.ciphertext(), record.signature())) {
        verified++;
      }
    }
    return verified;
  }

  /** The engine part alone: applying the whole log's plaintext, one batch per page of 500. */
  @Benchmark
  public int applyWholeLogEngineOnly() {
    try (AutomergeEngine engine = AutomergeEngine.empty()) {
      for (int from = 0; from < plainUpdates().size(); from += PAGE) {
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        for (byte[] change : plainUpdates().subList(from, Math.min(updates.size(), from + PAGE))) {
          batch.writeBytes(change);
        }
        engine.applyChanges(batch.toByteArray());
      }
      return engine.heads().size();
    }
  }

  private List<byte[]> plainUpdatesList;

  private List<byte[]> plainUpdates() {
    if (plainUpdatesList == null) {
      plainUpdatesList = updates.stream().map(this::open).toList();
    }
    return plainUpdatesList;
  }

  /** The engine part alone: loading the snapshot's plaintext. */
  @Benchmark
  public int loadSnapshotEngineOnly() {
    try (AutomergeEngine engine = AutomergeEngine.load(plainSnapshot())) {
      return engine.heads().size();
    }
  }

  private byte[] plainSnapshotBytes;

  private byte[] plainSnapshot() {
    if (plainSnapshotBytes == null) {
      plainSnapshotBytes = open(snapshot);
    }
    return plainSnapshotBytes;
  }

  /** A receiver's copy, fresh for each invocation of {@link #applyRemoteOneByOne}. */
  @State(Scope.Thread)
  public static class Receiver {
    AutomergeEngine engine;

    @Setup(Level.Invocation)
    public void load(DocumentOpenBenchmark written) {
      engine = AutomergeEngine.load(written.receiverSaved);
    }

    @TearDown(Level.Invocation)
    public void close() {
      engine.close();
    }
  }

  /**
   * Remote updates as followed frames deliver them, one at a time (verify, open, apply), into a
   * copy holding 200 concurrent local edits (needs edits > 500): the time per update.
   */
  @Benchmark
  @OperationsPerInvocation(REMOTE)
  public int applyRemoteOneByOne(Receiver receiver) {
    for (Sealed update : updates.subList(updates.size() - REMOTE, updates.size())) {
      receiver.engine.applyChanges(open(update));
    }
    return receiver.engine.heads().size();
  }

  private void applyPages(AutomergeEngine engine, List<Sealed> records) {
    for (int from = 0; from < records.size(); from += PAGE) {
      ByteArrayOutputStream batch = new ByteArrayOutputStream();
      for (Sealed record : records.subList(from, Math.min(records.size(), from + PAGE))) {
        batch.writeBytes(open(record));
      }
      engine.applyChanges(batch.toByteArray());
    }
  }

  /** Deterministic words, so runs write the same document. */
  private static final class Words {
    private static final String[] WORDS = {
      "risk",
      "partner",
      "school",
      "youth",
      "police",
      "outreach",
      "mentor",
      "family",
      "review",
      "network",
      "training",
      "municipal"
    };
    private static int next;
    static java.util.Random random;

    static String of() {
      if (random == null) {
        return WORDS[next++ % WORDS.length];
      }
      char[] word = new char[3 + random.nextInt(8)];
      for (int i = 0; i < word.length; i++) {
        word[i] = (char) ('a' + random.nextInt(26));
      }
      return new String(word);
    }
  }
}
