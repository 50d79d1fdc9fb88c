package org.liaison.server.coordinatorkeys;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Date;
import org.bson.Document;
import org.bson.types.Binary;
import org.liaison.server.api.Base64Field;

/**
 * A coordinator's request to have their coordinator key signed by whoever holds the network root:
 * one per coordinator (a new key replaces the request). The server keeps only public material: the
 * key, and once signed, the attestation.
 */
record CoordinatorKeyRequest(
    String userId,
    byte[] publicKey,
    String status,
    String tier,
    String sector,
    String cityId,
    Instant requestedAt,
    byte[] attestation,
    String decidedBy,
    Instant decidedAt,
    String declineReason) {

  static final String PENDING = "pending";
  static final String SIGNED = "signed";
  static final String DECLINED = "declined";

  static CoordinatorKeyRequest pending(
      String userId, byte[] publicKey, String tier, String sector, String cityId, Instant now) {
    return new CoordinatorKeyRequest(
        userId, publicKey, PENDING, tier, sector, cityId, now, null, null, null, null);
  }

  CoordinatorKeyRequest withStatus(String newStatus) {
    return new CoordinatorKeyRequest(
        userId, publicKey, newStatus, tier, sector, cityId, requestedAt, null, null, null, null);
  }

  JsonObject toJson() {
    JsonObject json =
        new JsonObject()
            .put("userId", userId)
            .put("publicKey", Base64Field.encode(publicKey))
            .put("status", status)
            .put("tier", tier)
            .put("sector", sector)
            .put("cityId", cityId)
            .put("requestedAt", requestedAt.toString());
    if (attestation != null) {
      json.put("attestation", Base64Field.encode(attestation));
    }
    if (decidedBy != null) {
      json.put("decidedBy", decidedBy).put("decidedAt", decidedAt.toString());
    }
    if (declineReason != null) {
      json.put("declineReason", declineReason);
    }
    return json;
  }

  Document toDocument() {
    return new Document("_id", userId)
        .append("publicKey", new Binary(publicKey))
        .append("status", status)
        .append("tier", tier)
        .append("sector", sector)
        .append("cityId", cityId)
        .append("requestedAt", Date.from(requestedAt));
  }

  static CoordinatorKeyRequest fromDocument(Document d) {
    Binary attestation = d.get("attestation", Binary.class);
    Date decidedAt = d.getDate("decidedAt");
    return new CoordinatorKeyRequest(
        d.getString("_id"),
        d.get("publicKey", Binary.class).getData(),
        d.getString("status"),
        d.getString("tier"),
        d.getString("sector"),
        d.getString("cityId"),
        d.getDate("requestedAt").toInstant(),
        attestation == null ? null : attestation.getData(),
        d.getString("decidedBy"),
        decidedAt == null ? null : decidedAt.toInstant(),
        d.getString("declineReason"));
  }
}
