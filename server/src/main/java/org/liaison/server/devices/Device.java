package org.liaison.server.devices;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Optional;
import org.bson.Document;
import org.bson.types.Binary;
import org.liaison.server.api.Base64Field;

/**
 * One installation of a user (a browser profile, a CLI, a bot): its own Ed25519 signature key,
 * which is its MLS leaf key, and the tier attestation chain that vouches for that key.
 */
public record Device(
    String id,
    String userId,
    String name,
    byte[] signatureKey,
    DeviceStatus status,
    Optional<byte[]> attestation,
    Instant createdAt) {

  public boolean active() {
    return status == DeviceStatus.ACTIVE;
  }

  public Device withStatus(DeviceStatus newStatus) {
    return new Device(id, userId, name, signatureKey, newStatus, attestation, createdAt);
  }

  public JsonObject toJson() {
    JsonObject json =
        new JsonObject()
            .put("id", id)
            .put("userId", userId)
            .put("name", name)
            .put("signatureKey", Base64Field.encode(signatureKey))
            .put("status", status.wire())
            .put("createdAt", createdAt.toString());
    attestation.ifPresent(a -> json.put("attestation", Base64Field.encode(a)));
    return json;
  }

  Document toDocument() {
    return new Document("_id", id)
        .append("userId", userId)
        .append("name", name)
        .append("signatureKey", new Binary(signatureKey))
        .append("status", status.wire())
        .append("attestation", attestation.map(Binary::new).orElse(null))
        .append("createdAt", java.util.Date.from(createdAt));
  }

  static Device fromDocument(Document d) {
    Binary attestation = d.get("attestation", Binary.class);
    return new Device(
        d.getString("_id"),
        d.getString("userId"),
        d.getString("name"),
        d.get("signatureKey", Binary.class).getData(),
        DeviceStatus.parse(d.getString("status")),
        Optional.ofNullable(attestation).map(Binary::getData),
        d.getDate("createdAt").toInstant());
  }
}
