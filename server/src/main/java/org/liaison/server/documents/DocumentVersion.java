package org.liaison.server.documents;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Date;
import org.bson.Document;
import org.bson.types.Binary;
import org.liaison.server.api.Base64Field;

/**
 * A named, signed record of a document's heads (encrypted), at {@code _id} = {@code
 * <documentId>:<number>}, numbered 1, 2, … per document so the list is read forward by id; {@code
 * id} is the random id clients see, {@code seq} the document's last seq when it was made.
 */
record DocumentVersion(
    String documentId,
    long number,
    String id,
    long seq,
    long generation,
    String authorUserId,
    String authorDeviceId,
    byte[] ciphertext,
    byte[] signature,
    Instant createdAt) {

  /**
   * This version as number {@code number} of its document, made when its last seq was {@code seq}.
   */
  DocumentVersion numbered(long number, long seq) {
    return new DocumentVersion(
        documentId,
        number,
        id,
        seq,
        generation,
        authorUserId,
        authorDeviceId,
        ciphertext,
        signature,
        createdAt);
  }

  static String key(String documentId, long number) {
    return documentId + ":" + number;
  }

  Document toDocument() {
    return new Document("_id", key(documentId, number))
        .append("doc", documentId)
        .append("id", id)
        .append("seq", seq)
        .append("generation", generation)
        .append("authorUserId", authorUserId)
        .append("authorDeviceId", authorDeviceId)
        .append("ciphertext", new Binary(ciphertext))
        .append("signature", new Binary(signature))
        .append("createdAt", Date.from(createdAt));
  }

  static DocumentVersion fromDocument(Document d) {
    String key = d.getString("_id");
    return new DocumentVersion(
        d.getString("doc"),
        Long.parseLong(key.substring(key.lastIndexOf(':') + 1)),
        d.getString("id"),
        DocumentRecord.number(d, "seq"),
        DocumentRecord.number(d, "generation"),
        d.getString("authorUserId"),
        d.getString("authorDeviceId"),
        d.get("ciphertext", Binary.class).getData(),
        d.get("signature", Binary.class).getData(),
        d.getDate("createdAt").toInstant());
  }

  JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("seq", seq)
        .put("generation", generation)
        .put("authorUserId", authorUserId)
        .put("authorDeviceId", authorDeviceId)
        .put("ciphertext", Base64Field.encode(ciphertext))
        .put("signature", Base64Field.encode(signature))
        .put("createdAt", createdAt.toString());
  }
}
