package org.liaison.server.channels;

import io.vertx.core.json.JsonObject;
import org.bson.Document;

/** The device at one MLS leaf, and the log seq of the commit that put it there (0: creator). */
public record Leaf(String userId, String deviceId, long addedAt) {
  /** Whether any leaf of a tree (blank leaves are null) belongs to the user. */
  public static boolean anyOf(java.util.List<Leaf> leaves, String userId) {
    return leaves.stream().anyMatch(l -> l != null && l.userId().equals(userId));
  }

  public JsonObject toJson(int index) {
    return new JsonObject().put("leaf", index).put("userId", userId).put("deviceId", deviceId);
  }

  Document toDocument() {
    return new Document("userId", userId).append("deviceId", deviceId).append("addedAt", addedAt);
  }

  static Leaf fromDocument(Document d) {
    return d == null
        ? null
        : new Leaf(d.getString("userId"), d.getString("deviceId"), d.getLong("addedAt"));
  }
}
