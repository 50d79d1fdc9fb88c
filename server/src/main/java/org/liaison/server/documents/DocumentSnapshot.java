package org.liaison.server.documents;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Date;
import org.bson.Document;
import org.bson.types.Binary;
import org.liaison.server.api.Base64Field;

/**
 * An encrypted Automerge save of a document covering its updates up to {@code coversSeq}, at {@code
 * _id} = {@code <documentId>:<coversSeq>}: two clients that compact at the same seq collide on the
 * key, and one of them is told its snapshot is stale.
 */
record DocumentSnapshot(
    String documentId,
    long coversSeq,
    long generation,
    String authorUserId,
    String authorDeviceId,
    byte[] ciphertext,
    byte[] signature,
    Instant createdAt) {

  static String id(String documentId, long coversSeq) {
    return documentId + ":" + coversSeq;
  }

  Document toDocument() {
    return new Document("_id", id(documentId, coversSeq))
        .append("doc", documentId)
        .append("coversSeq", coversSeq)
        .append("generation", generation)
        .append("authorUserId", authorUserId)
        .append("authorDeviceId", authorDeviceId)
        .append("ciphertext", new Binary(ciphertext))
        .append("signature", new Binary(signature))
        .append("createdAt", Date.from(createdAt));
  }

  static DocumentSnapshot fromDocument(Document d) {
    return new DocumentSnapshot(
        d.getString("doc"),
        DocumentRecord.number(d, "coversSeq"),
        DocumentRecord.number(d, "generation"),
        d.getString("authorUserId"),
        d.getString("authorDeviceId"),
        d.get("ciphertext", Binary.class).getData(),
        d.get("signature", Binary.class).getData(),
        d.getDate("createdAt").toInstant());
  }

  JsonObject toJson() {
    return new JsonObject()
        .put("coversSeq", coversSeq)
        .put("generation", generation)
        .put("authorDeviceId", authorDeviceId)
        .put("ciphertext", Base64Field.encode(ciphertext))
        .put("signature", Base64Field.encode(signature))
        .put("createdAt", createdAt.toString());
  }
}
