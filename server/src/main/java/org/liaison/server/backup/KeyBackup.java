package org.liaison.server.backup;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.bson.Document;
import org.bson.types.Binary;
import org.liaison.server.api.Base64Field;

/**
 * A member's encrypted key backup, as the server keeps it: opaque bytes the client sealed under a
 * key derived from the recovery code (docs/crypto.md, "Recovery key"), the salt and Argon2id cost
 * the client needs to derive that key again, and which device stored it. Nothing here can be read
 * without the code.
 */
public record KeyBackup(
    String userId,
    int version,
    byte[] salt,
    int memoryKiB,
    int iterations,
    byte[] ciphertext,
    String storedBy,
    Instant updatedAt) {

  public JsonObject toJson() {
    return new JsonObject()
        .put("version", version)
        .put("salt", Base64Field.encode(salt))
        .put("kdf", new JsonObject().put("memoryKiB", memoryKiB).put("iterations", iterations))
        .put("ciphertext", Base64Field.encode(ciphertext))
        .put("updatedAt", updatedAt.toString());
  }

  Document toDocument() {
    return new Document("_id", userId)
        .append("version", version)
        .append("salt", new Binary(salt))
        .append("memoryKiB", memoryKiB)
        .append("iterations", iterations)
        .append("ciphertext", new Binary(ciphertext))
        .append("storedBy", storedBy)
        .append("updatedAt", java.util.Date.from(updatedAt));
  }

  static KeyBackup fromDocument(Document d) {
    return new KeyBackup(
        d.getString("_id"),
        d.getInteger("version"),
        d.get("salt", Binary.class).getData(),
        d.getInteger("memoryKiB"),
        d.getInteger("iterations"),
        d.get("ciphertext", Binary.class).getData(),
        d.getString("storedBy"),
        d.getDate("updatedAt").toInstant());
  }
}
