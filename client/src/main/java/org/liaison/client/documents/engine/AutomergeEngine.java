package org.liaison.client.documents.engine;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.automerge.AmValue;
import org.automerge.ChangeHash;
import org.automerge.Document;
import org.automerge.Mark;
import org.automerge.NewValue;
import org.automerge.ObjectId;
import org.automerge.ObjectType;
import org.automerge.Read;
import org.automerge.Transaction;

/** {@link DocumentEngine} on automerge-java 0.0.7 (JNI, Rust automerge 0.5.7). */
public final class AutomergeEngine implements DocumentEngine {
  private static final int HASH_LENGTH = 32;
  private final Document document;
  private boolean closed;

  private AutomergeEngine(Document document) {
    this.document = document;
  }

  public static AutomergeEngine empty() {
    return new AutomergeEngine(new Document());
  }

  public static AutomergeEngine load(byte[] saved) {
    try {
      return new AutomergeEngine(Document.load(saved));
    } catch (RuntimeException e) {
      // The binding's AutomergeException is package-private.
      throw new DocumentEngineException(
          "malformed-document", "not an Automerge document: " + e.getMessage());
    }
  }

  @Override
  public void applyChanges(byte[] changes) {
    try {
      document.applyEncodedChanges(changes);
    } catch (RuntimeException e) {
      throw new DocumentEngineException(
          "malformed-document", "changes do not apply: " + e.getMessage());
    }
  }

  @Override
  public byte[] changesSince(List<String> heads) {
    return document.encodeChangesSince(hashes(heads));
  }

  @Override
  public byte[] save() {
    return document.save();
  }

  @Override
  public List<String> heads() {
    return hex(document.getHeads());
  }

  @Override
  public JsonObject toJson() {
    return (JsonObject) read(document, ObjectId.ROOT, null);
  }

  @Override
  public JsonObject toJson(List<String> heads) {
    return (JsonObject) read(document, ObjectId.ROOT, hashes(heads));
  }

  @Override
  public Map<String, List<TextMark>> marks(List<String> heads) {
    Map<String, List<TextMark>> out = new TreeMap<>();
    collectMarks(ObjectId.ROOT, "", heads == null ? null : hashes(heads), out);
    return out;
  }

  /** Walks maps (rows and fields are maps) down to their Texts. */
  private void collectMarks(
      ObjectId id, String path, ChangeHash[] at, Map<String, List<TextMark>> out) {
    Optional<ObjectType> type = document.getObjectType(id);
    if (type.isEmpty() || type.get() == ObjectType.LIST) {
      return;
    }
    if (type.get() == ObjectType.TEXT) {
      String text = (at == null ? document.text(id) : document.text(id, at)).orElse("");
      List<Mark> marks = at == null ? document.marks(id) : document.marks(id, at);
      List<TextMark> read = marks.stream().map(m -> textMark(text, m)).toList();
      if (!read.isEmpty()) {
        out.put(path, read);
      }
      return;
    }
    String[] keys = (at == null ? document.keys(id) : document.keys(id, at)).orElse(new String[0]);
    for (String key : keys) {
      Optional<AmValue> value = at == null ? document.get(id, key) : document.get(id, key, at);
      String next = path.isEmpty() ? key : path + "/" + key;
      if (value.orElse(null) instanceof AmValue.Map map) {
        collectMarks(map.getId(), next, at, out);
      } else if (value.orElse(null) instanceof AmValue.Text text) {
        collectMarks(text.getId(), next, at, out);
      }
    }
  }

  /** The binding counts code points; Java strings index UTF-16 units. */
  private static TextMark textMark(String text, Mark mark) {
    int points = text.codePointCount(0, text.length());
    int start = text.offsetByCodePoints(0, (int) Math.min(points, Math.max(0, mark.getStart())));
    int end = text.offsetByCodePoints(0, (int) Math.min(points, Math.max(0, mark.getEnd())));
    Object value = null;
    if (mark.getValue() instanceof AmValue.Bool bool) {
      value = bool.getValue();
    } else if (mark.getValue() instanceof AmValue.Str str) {
      value = str.getValue();
    }
    return new TextMark(mark.getName(), value, start, end);
  }

  @Override
  public byte[] change(Consumer<DocumentEditor> edits) {
    ChangeHash[] before = document.getHeads();
    try (Transaction tx = document.startTransaction()) {
      try {
        edits.accept(new Editor(tx));
      } catch (RuntimeException e) {
        tx.rollback();
        throw e;
      }
      if (tx.commit().isEmpty()) {
        return new byte[0];
      }
    }
    return document.encodeChangesSince(before);
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      document.free();
    }
  }

  /**
   * Heads as the binding wants them. Its JNI side unwraps (aborting the JVM) on a hash that is not
   * 32 bytes, so lengths are checked here. ChangeHash's constructor is protected: an anonymous
   * subclass carries the bytes, which is all the native side reads.
   */
  static ChangeHash[] hashes(List<String> heads) {
    ChangeHash[] hashes = new ChangeHash[heads.size()];
    for (int i = 0; i < hashes.length; i++) {
      byte[] bytes;
      try {
        bytes = HexFormat.of().parseHex(heads.get(i));
      } catch (IllegalArgumentException e) {
        throw new DocumentEngineException("malformed-document", "a head is not hex");
      }
      if (bytes.length != HASH_LENGTH) {
        throw new DocumentEngineException("malformed-document", "a head is not 32 bytes");
      }
      hashes[i] = new ChangeHash(bytes) {};
    }
    return hashes;
  }

  static List<String> hex(ChangeHash[] hashes) {
    return Arrays.stream(hashes).map(h -> HexFormat.of().formatHex(h.getBytes())).sorted().toList();
  }

  /** Reads an object (map, list or text) or returns a scalar as a JSON value. */
  private static Object read(Read doc, ObjectId id, ChangeHash[] at) {
    Optional<ObjectType> type = doc.getObjectType(id);
    if (type.isEmpty()) {
      return null;
    }
    switch (type.get()) {
      case TEXT:
        return (at == null ? doc.text(id) : doc.text(id, at)).orElse("");
      case LIST:
        {
          JsonArray array = new JsonArray();
          long length = at == null ? doc.length(id) : doc.length(id, at);
          for (int i = 0; i < length; i++) {
            Optional<AmValue> item = at == null ? doc.get(id, i) : doc.get(id, i, at);
            array.add(item.map(v -> value(doc, v, at)).orElse(null));
          }
          return array;
        }
      default:
        {
          JsonObject object = new JsonObject();
          String[] keys = (at == null ? doc.keys(id) : doc.keys(id, at)).orElse(new String[0]);
          for (String key : keys) {
            Optional<AmValue> item = at == null ? doc.get(id, key) : doc.get(id, key, at);
            object.put(key, item.map(v -> value(doc, v, at)).orElse(null));
          }
          return object;
        }
    }
  }

  private static Object value(Read doc, AmValue value, ChangeHash[] at) {
    if (value instanceof AmValue.Map map) {
      return read(doc, map.getId(), at);
    } else if (value instanceof AmValue.List list) {
      return read(doc, list.getId(), at);
    } else if (value instanceof AmValue.Text text) {
      return read(doc, text.getId(), at);
    } else if (value instanceof AmValue.Str str) {
      return str.getValue();
    } else if (value instanceof AmValue.Int number) {
      return number.getValue();
    } else if (value instanceof AmValue.UInt number) {
      return number.getValue();
    } else if (value instanceof AmValue.F64 number) {
      return number.getValue();
    } else if (value instanceof AmValue.Bool bool) {
      return bool.getValue();
    } else if (value instanceof AmValue.Counter counter) {
      return counter.getValue();
    } else if (value instanceof AmValue.Timestamp timestamp) {
      return timestamp.getValue().toInstant().toString();
    } else if (value instanceof AmValue.Bytes bytes) {
      return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.getValue());
    }
    return null;
  }

  /** Edits through one transaction; path errors name the path. */
  private static final class Editor implements DocumentEditor {
    private final Transaction tx;

    Editor(Transaction tx) {
      this.tx = tx;
    }

    @Override
    public void set(List<String> path, Object value) {
      Place place = place(path);
      AmValue current =
          place
              .get(tx)
              .orElseThrow(
                  () ->
                      new DocumentEngineException(
                          "no-such-field", "no field " + String.join("/", path)));
      if (current instanceof AmValue.Text text) {
        splice(text.getId(), tx.text(text.getId()).orElse(""), string(path, value));
      } else if (current instanceof AmValue.Str) {
        place.put(tx, NewValue.str(string(path, value)));
      } else if (current instanceof AmValue.Int || current instanceof AmValue.UInt) {
        place.putInteger(tx, integer(path, value));
      } else if (current instanceof AmValue.Bool) {
        place.put(tx, NewValue.bool(bool(path, value)));
      } else {
        throw new DocumentEngineException(
            "not-a-field",
            String.join("/", path) + " is not a text, string, integer or boolean field");
      }
    }

    @Override
    public void putText(List<String> path, String text) {
      Place place = place(path);
      ObjectId id = place.putObject(tx, ObjectType.TEXT);
      tx.spliceText(id, 0, 0, text);
    }

    @Override
    public void putScalar(List<String> path, Object value) {
      Place place = place(path);
      if (value instanceof String string) {
        place.put(tx, NewValue.str(string));
      } else if (value instanceof Long || value instanceof Integer) {
        place.putInteger(tx, integer(path, value));
      } else if (value instanceof Boolean bool) {
        place.put(tx, NewValue.bool(bool));
      } else {
        throw new DocumentEngineException(
            "wrong-type", "a scalar is a string, an integer or a boolean");
      }
    }

    @Override
    public void putMap(List<String> path) {
      place(path).putObject(tx, ObjectType.MAP);
    }

    @Override
    public void delete(List<String> path) {
      Place place = place(path);
      if (place.get(tx).isEmpty()) {
        throw new DocumentEngineException("no-such-field", "no field " + String.join("/", path));
      }
      place.delete(tx);
    }

    /**
     * Replaces only the middle that differs between the old and new text: a whole-field rewrite
     * would delete and reinsert every character, and a concurrent edit by someone else would then
     * land inside deleted text. Indexes are Unicode code points, as the binding counts them.
     */
    private void splice(ObjectId text, String before, String after) {
      int[] old = before.codePoints().toArray();
      int[] now = after.codePoints().toArray();
      int prefix = 0;
      while (prefix < old.length && prefix < now.length && old[prefix] == now[prefix]) {
        prefix++;
      }
      int suffix = 0;
      while (suffix < old.length - prefix
          && suffix < now.length - prefix
          && old[old.length - 1 - suffix] == now[now.length - 1 - suffix]) {
        suffix++;
      }
      int deleted = old.length - prefix - suffix;
      String inserted = new String(now, prefix, now.length - prefix - suffix);
      if (deleted > 0 || !inserted.isEmpty()) {
        tx.spliceText(text, prefix, deleted, inserted);
      }
    }

    /** The object holding the last path element, and that element. */
    private Place place(List<String> path) {
      if (path.isEmpty()) {
        throw new DocumentEngineException("no-such-field", "an empty path names no field");
      }
      ObjectId parent = ObjectId.ROOT;
      for (int i = 0; i < path.size() - 1; i++) {
        Place step = new Place(parent, path.get(i), isList(parent));
        AmValue value =
            step.get(tx)
                .orElseThrow(
                    () ->
                        new DocumentEngineException(
                            "no-such-field", "no field " + String.join("/", path)));
        if (value instanceof AmValue.Map map) {
          parent = map.getId();
        } else if (value instanceof AmValue.List list) {
          parent = list.getId();
        } else {
          throw new DocumentEngineException(
              "no-such-field",
              String.join("/", path.subList(0, i + 1)) + " is not a map or a list");
        }
      }
      return new Place(parent, path.get(path.size() - 1), isList(parent));
    }

    private boolean isList(ObjectId id) {
      return tx.getObjectType(id).map(type -> type == ObjectType.LIST).orElse(false);
    }

    private static String string(List<String> path, Object value) {
      if (value instanceof String string) {
        return string;
      }
      throw new DocumentEngineException("wrong-type", String.join("/", path) + " takes text");
    }

    /**
     * 32-bit integers only: the binding's {@code NewValue.integer(long)} widens to a double (it
     * calls the {@code double} overload), so its {@code int} overload is the one way to write an
     * Automerge int. Money in minor units up to 21 million fits.
     */
    private static int integer(List<String> path, Object value) {
      long number;
      if (value instanceof Long || value instanceof Integer) {
        number = ((Number) value).longValue();
      } else {
        try {
          number = Long.parseLong(String.valueOf(value).trim());
        } catch (NumberFormatException e) {
          throw new DocumentEngineException(
              "wrong-type", String.join("/", path) + " takes an integer");
        }
      }
      if (number < Integer.MIN_VALUE || number > Integer.MAX_VALUE) {
        throw new DocumentEngineException(
            "wrong-type", String.join("/", path) + " takes an integer of at most 32 bits");
      }
      return (int) number;
    }

    private static boolean bool(List<String> path, Object value) {
      if (value instanceof Boolean bool) {
        return bool;
      }
      if ("true".equals(value) || "false".equals(value)) {
        return Boolean.parseBoolean((String) value);
      }
      throw new DocumentEngineException(
          "wrong-type", String.join("/", path) + " takes true or false");
    }
  }

  /** A map key or list index inside an object. */
  private record Place(ObjectId object, String key, boolean list) {
    long index() {
      try {
        return Long.parseLong(key);
      } catch (NumberFormatException e) {
        throw new DocumentEngineException("no-such-field", key + " is not a list index");
      }
    }

    Optional<AmValue> get(Transaction tx) {
      if (!list) {
        return tx.get(object, key);
      }
      long index = index();
      return index < 0 || index >= tx.length(object)
          ? Optional.empty()
          : tx.get(object, (int) index);
    }

    void put(Transaction tx, NewValue value) {
      if (list) {
        tx.set(object, index(), value);
      } else {
        tx.set(object, key, value);
      }
    }

    void putInteger(Transaction tx, int value) {
      if (list) {
        tx.set(object, index(), value);
      } else {
        tx.set(object, key, value);
      }
    }

    ObjectId putObject(Transaction tx, ObjectType type) {
      return list ? tx.set(object, index(), type) : tx.set(object, key, type);
    }

    void delete(Transaction tx) {
      if (list) {
        tx.delete(object, index());
      } else {
        tx.delete(object, key);
      }
    }
  }
}
