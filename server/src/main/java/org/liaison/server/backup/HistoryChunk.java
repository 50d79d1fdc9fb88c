package org.liaison.server.backup;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.bson.Document;
import org.bson.types.Binary;
import org.liaison.server.api.Base64Field;

/**
 * One chunk of a member's encrypted history backup (docs/crypto.md, "History backup"): messages of
 * one channel that the member's browser decrypted, sealed under a key only the member's devices and
 * recovery code can derive. The server sees the channel id, the chunk id, the size and when it was
 * written; never the messages.
 */
public record HistoryChunk(
    String userId, String channelId, String chunkId, byte[] ciphertext, Instant updatedAt) {

  static String key(String userId, String channelId, String chunkId) {
    return userId + "/" + channelId + "/" + chunkId;
  }

  /** What a listing shows: the names and sizes, not the bytes. */
  public JsonObject summaryJson(int size) {
    return new JsonObject()
        .put("channelId", channelId)
        .put("chunkId", chunkId)
        .put("size", size)
        .put("updatedAt", updatedAt.toString());
  }

  public JsonObject toJson() {
    return summaryJson(ciphertext.length).put("ciphertext", Base64Field.encode(ciphertext));
  }

  Document toDocument() {
    return new Document("_id", key(userId, channelId, chunkId))
        .append("userId", userId)
        .append("channelId", channelId)
        .append("chunkId", chunkId)
        .append("size", ciphertext.length)
        .append("ciphertext", new Binary(ciphertext))
        .append("updatedAt", java.util.Date.from(updatedAt));
  }

  static HistoryChunk fromDocument(Document d) {
    Binary bytes = d.get("ciphertext", Binary.class);
    return new HistoryChunk(
        d.getString("userId"),
        d.getString("channelId"),
        d.getString("chunkId"),
        bytes == null ? null : bytes.getData(),
        d.getDate("updatedAt").toInstant());
  }
}
