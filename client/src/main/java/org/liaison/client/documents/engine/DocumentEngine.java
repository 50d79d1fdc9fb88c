package org.liaison.client.documents.engine;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Consumer;

/**
 * One CRDT document in memory: what the SDK needs from Automerge, and no more, so that a newer
 * binding can replace {@link AutomergeEngine} (docs/documents.md). Heads are lower-case hex change
 * hashes. Not thread-safe; {@link #close} frees native memory.
 */
public interface DocumentEngine extends AutoCloseable {
  /** Applies concatenated change chunks (an update's plaintext, or several) in one batch. */
  void applyChanges(byte[] changes);

  /** The changes not covered by {@code heads}, concatenated; every change for no heads. */
  byte[] changesSince(List<String> heads);

  /** The whole document (history included), as a snapshot holds it. */
  byte[] save();

  List<String> heads();

  /**
   * The current state as JSON: Text and Str as strings, integers as numbers, booleans, maps as
   * objects, lists as arrays.
   */
  JsonObject toJson();

  /** The state at {@code heads} (a version), read the same way. */
  JsonObject toJson(List<String> heads);

  /**
   * Makes one change from the edits and returns its encoded bytes (empty when the edits changed
   * nothing), ready to be sent as an update.
   */
  byte[] change(Consumer<DocumentEditor> edits);

  /**
   * The rich-text marks of every Text that has any, by path ({@code context/summary}), at these
   * heads (null: now). Texts without marks are left out.
   */
  java.util.Map<String, java.util.List<TextMark>> marks(List<String> heads);

  @Override
  void close();

  /** Edits inside one change. Paths are map keys (or list indexes) from the root. */
  interface DocumentEditor {
    /**
     * Sets an existing field, the way its type asks: a Text field is spliced (only the part that
     * differs, so concurrent edits elsewhere in the text survive); a Str, integer or boolean is
     * replaced. Strings are converted to the field's type ("12", "true").
     */
    void set(List<String> path, Object value);

    /** Creates or replaces a collaborative text field. */
    void putText(List<String> path, String text);

    /** Creates or replaces a scalar: String (as an immutable string), Long/Integer or Boolean. */
    void putScalar(List<String> path, Object value);

    /** Creates or replaces an empty map. */
    void putMap(List<String> path);

    void delete(List<String> path);
  }
}
