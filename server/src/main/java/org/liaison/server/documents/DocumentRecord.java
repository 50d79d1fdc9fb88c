package org.liaison.server.documents;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import org.bson.Document;
import org.bson.types.Binary;
import org.liaison.server.api.Base64Field;

/**
 * One document as the server keeps it ({@code documents}, {@code _id} = document id): the channel
 * it belongs to, its encrypted header and who made it, and the numbers the hot path needs: the last
 * update's seq, the current and previous snapshots' {@code coversSeq}, and per device the last
 * {@code clientSeq} and the seq it got (kept here so idempotence outlives compaction).
 */
record DocumentRecord(
    String id,
    String channelId,
    long generation,
    byte[] header,
    String createdBy,
    Instant createdAt,
    Instant updatedAt,
    long lastSeq,
    long snapshotSeq,
    long previousSnapshotSeq,
    Map<String, ClientMark> clients) {

  /** A device's last update to this document: its own number and the seq the server gave it. */
  record ClientMark(long clientSeq, long seq) {}

  static DocumentRecord created(
      String id, String channelId, long generation, byte[] header, String createdBy, Instant now) {
    return new DocumentRecord(
        id, channelId, generation, header, createdBy, now, now, 0, 0, 0, Map.of());
  }

  Document toDocument() {
    Document clientMarks = new Document();
    clients.forEach(
        (device, mark) ->
            clientMarks.append(
                device, new Document("clientSeq", mark.clientSeq()).append("seq", mark.seq())));
    return new Document("_id", id)
        .append("ch", channelId)
        .append("generation", generation)
        .append("header", new Binary(header))
        .append("createdBy", createdBy)
        .append("createdAt", Date.from(createdAt))
        .append("updatedAt", Date.from(updatedAt))
        .append("lastSeq", lastSeq)
        .append("snapshotSeq", snapshotSeq)
        .append("previousSnapshotSeq", previousSnapshotSeq)
        .append("clients", clientMarks);
  }

  static DocumentRecord fromDocument(Document d) {
    Map<String, ClientMark> clients = new HashMap<>();
    Document marks = d.get("clients", Document.class);
    if (marks != null) {
      marks.forEach(
          (device, raw) -> {
            Document mark = (Document) raw;
            clients.put(device, new ClientMark(number(mark, "clientSeq"), number(mark, "seq")));
          });
    }
    return new DocumentRecord(
        d.getString("_id"),
        d.getString("ch"),
        number(d, "generation"),
        d.get("header", Binary.class).getData(),
        d.getString("createdBy"),
        d.getDate("createdAt").toInstant(),
        d.getDate("updatedAt").toInstant(),
        number(d, "lastSeq"),
        number(d, "snapshotSeq"),
        number(d, "previousSnapshotSeq"),
        clients);
  }

  /** The summary every route and frame shows: never more than the contract's fields. */
  JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("channelId", channelId)
        .put("generation", generation)
        .put("header", Base64Field.encode(header))
        .put("createdBy", createdBy)
        .put("createdAt", createdAt.toString())
        .put("updatedAt", updatedAt.toString())
        .put("lastSeq", lastSeq)
        .put("snapshotSeq", snapshotSeq);
  }

  static long number(Document d, String field) {
    Number n = d.get(field, Number.class);
    return n == null ? 0 : n.longValue();
  }
}
