package org.liaison.server.devices;

import io.vertx.core.json.JsonObject;
import org.bson.Document;
import org.bson.types.Binary;
import org.liaison.server.api.Base64Field;

/**
 * A device's broadcast key (docs/broadcasts.md): its X25519 public key and when it became valid,
 * with the device's signature over the statement. The server checked the signature before storing
 * it; every author's client checks it again.
 */
public record BroadcastKey(byte[] publicKey, long validFrom, byte[] signature) {
  Document toDocument() {
    return new Document("publicKey", new Binary(publicKey))
        .append("validFrom", validFrom)
        .append("signature", new Binary(signature));
  }

  static BroadcastKey fromDocument(Document d) {
    return new BroadcastKey(
        d.get("publicKey", Binary.class).getData(),
        d.get("validFrom", Number.class).longValue(),
        d.get("signature", Binary.class).getData());
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("publicKey", Base64Field.encode(publicKey))
        .put("validFrom", validFrom)
        .put("signature", Base64Field.encode(signature));
  }
}
