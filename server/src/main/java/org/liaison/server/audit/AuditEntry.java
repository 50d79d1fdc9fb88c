package org.liaison.server.audit;

import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.bson.Document;
import org.liaison.crypto.Digests;

/**
 * One audit record. {@code hash} covers every field and the previous entry's hash, so changing,
 * removing or reordering any entry breaks the chain from there on.
 */
public record AuditEntry(
    long seq,
    Instant at,
    String actorId,
    String action,
    String targetId,
    String cityId,
    SortedMap<String, String> details,
    String prevHash,
    String hash) {

  /** The hash of the (absent) entry before the first. */
  public static final String GENESIS = "0".repeat(64);

  static AuditEntry seal(
      long seq,
      Instant at,
      String actorId,
      String action,
      String targetId,
      String cityId,
      Map<String, String> details,
      String prevHash) {
    SortedMap<String, String> sorted = new TreeMap<>(details);
    return new AuditEntry(
        seq,
        at,
        actorId,
        action,
        targetId,
        cityId,
        sorted,
        prevHash,
        computeHash(seq, at, actorId, action, targetId, cityId, sorted, prevHash));
  }

  boolean hashIsIntact() {
    return hash.equals(computeHash(seq, at, actorId, action, targetId, cityId, details, prevHash));
  }

  /** SHA-256 over length-prefixed UTF-8 fields: unambiguous, independent of JSON formatting. */
  private static String computeHash(
      long seq,
      Instant at,
      String actorId,
      String action,
      String targetId,
      String cityId,
      SortedMap<String, String> details,
      String prevHash) {
    MessageDigest sha = Digests.sha256();
    field(sha, "liaison/v1/audit");
    field(sha, Long.toString(seq));
    field(sha, at.toString());
    field(sha, actorId);
    field(sha, action);
    field(sha, targetId);
    field(sha, cityId);
    field(sha, Integer.toString(details.size()));
    details.forEach(
        (k, v) -> {
          field(sha, k);
          field(sha, v);
        });
    field(sha, prevHash);
    return HexFormat.of().formatHex(sha.digest());
  }

  private static void field(MessageDigest sha, String value) {
    byte[] bytes = value == null ? new byte[0] : value.getBytes(StandardCharsets.UTF_8);
    sha.update(
        ByteBuffer.allocate(5).put((byte) (value == null ? 0 : 1)).putInt(bytes.length).array());
    sha.update(bytes);
  }

  public JsonObject toJson() {
    JsonObject detailJson = new JsonObject();
    details.forEach(detailJson::put);
    return new JsonObject()
        .put("seq", seq)
        .put("at", at.toString())
        .put("actorId", actorId)
        .put("action", action)
        .put("targetId", targetId)
        .put("cityId", cityId)
        .put("details", detailJson)
        .put("prevHash", prevHash)
        .put("hash", hash);
  }

  Document toDocument() {
    return new Document("_id", seq)
        .append("at", at.toString())
        .append("actorId", actorId)
        .append("action", action)
        .append("targetId", targetId)
        .append("cityId", cityId)
        .append("details", new Document(details))
        .append("prevHash", prevHash)
        .append("hash", hash);
  }

  static AuditEntry fromDocument(Document d) {
    SortedMap<String, String> details = new TreeMap<>();
    Document stored = d.get("details", Document.class);
    if (stored != null) {
      stored.forEach((k, v) -> details.put(k, String.valueOf(v)));
    }
    return new AuditEntry(
        ((Number) d.get("_id")).longValue(),
        Instant.parse(d.getString("at")),
        d.getString("actorId"),
        d.getString("action"),
        d.getString("targetId"),
        d.getString("cityId"),
        details,
        d.getString("prevHash"),
        d.getString("hash"));
  }
}
