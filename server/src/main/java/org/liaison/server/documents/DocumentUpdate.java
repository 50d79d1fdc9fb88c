package org.liaison.server.documents;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Date;
import org.bson.Document;
import org.bson.types.Binary;
import org.liaison.server.api.Base64Field;

/** One encrypted update of a document, at {@code _id} = {@code <documentId>:<seq>}. */
record DocumentUpdate(
    String documentId,
    long seq,
    long generation,
    String authorUserId,
    String authorDeviceId,
    long clientSeq,
    byte[] ciphertext,
    byte[] signature,
    Instant createdAt) {

  /** This update at {@code seq}. */
  DocumentUpdate at(long seq) {
    return new DocumentUpdate(
        documentId,
        seq,
        generation,
        authorUserId,
        authorDeviceId,
        clientSeq,
        ciphertext,
        signature,
        createdAt);
  }

  static String id(String documentId, long seq) {
    return documentId + ":" + seq;
  }

  Document toDocument() {
    return new Document("_id", id(documentId, seq))
        .append("doc", documentId)
        .append("seq", seq)
        .append("generation", generation)
        .append("authorUserId", authorUserId)
        .append("authorDeviceId", authorDeviceId)
        .append("clientSeq", clientSeq)
        .append("ciphertext", new Binary(ciphertext))
        .append("signature", new Binary(signature))
        .append("createdAt", Date.from(createdAt));
  }

  static DocumentUpdate fromDocument(Document d) {
    return new DocumentUpdate(
        d.getString("doc"),
        DocumentRecord.number(d, "seq"),
        DocumentRecord.number(d, "generation"),
        d.getString("authorUserId"),
        d.getString("authorDeviceId"),
        DocumentRecord.number(d, "clientSeq"),
        d.get("ciphertext", Binary.class).getData(),
        d.get("signature", Binary.class).getData(),
        d.getDate("createdAt").toInstant());
  }

  JsonObject toJson() {
    return new JsonObject()
        .put("seq", seq)
        .put("generation", generation)
        .put("authorUserId", authorUserId)
        .put("authorDeviceId", authorDeviceId)
        .put("clientSeq", clientSeq)
        .put("ciphertext", Base64Field.encode(ciphertext))
        .put("signature", Base64Field.encode(signature))
        .put("createdAt", createdAt.toString());
  }
}
