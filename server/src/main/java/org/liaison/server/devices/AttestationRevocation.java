package org.liaison.server.devices;

import io.vertx.core.json.JsonObject;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import org.bson.Document;
import org.liaison.crypto.attestation.AttestationChain;
import org.liaison.server.api.WireEnum;

/**
 * One entry of the attestation revocation list: a device attestation that no longer holds, named by
 * the SHA-256 of its canonical encoding ({@code TierAttestation.encode()}), which is what clients
 * find in a member's leaf credential.
 */
public record AttestationRevocation(
    long seq,
    String attestation,
    String userId,
    String deviceId,
    Reason reason,
    Instant revokedAt) {

  /** Why the attestation stopped holding. */
  public enum Reason {
    TIER_CHANGED,
    ROLE_CHANGED,
    DEVICE_REVOKED,
    USER_SUSPENDED;

    public String wire() {
      return WireEnum.name(this);
    }
  }

  /** A revocation before the list gives it its seq. */
  public record Revoked(String attestation, String userId, String deviceId, Reason reason) {
    /** The device's own attestation (the chain's last link) from its stored chain. */
    static Revoked of(Device device, byte[] chain, Reason reason) {
      return new Revoked(hash(chain), device.userId(), device.id(), reason);
    }

    /** A coordinator attestation (no device: {@code deviceId} is null on the list). */
    static Revoked ofCoordinator(String userId, byte[] attestation, Reason reason) {
      return new Revoked(
          org.liaison.crypto.attestation.AttestationRevocations.hash(
              org.liaison.crypto.attestation.TierAttestation.decode(attestation)),
          userId,
          null,
          reason);
    }
  }

  /** SHA-256 (hex) of the device attestation of an {@code AttestationChain}. */
  static String hash(byte[] chain) {
    byte[] deviceAttestation = AttestationChain.decode(chain).device().encode();
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(deviceAttestation));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("seq", seq)
        .put("attestation", attestation)
        .put("userId", userId)
        .put("deviceId", deviceId)
        .put("reason", reason.wire())
        .put("revokedAt", revokedAt.toString());
  }

  Document toDocument() {
    return new Document("_id", seq)
        .append("attestation", attestation)
        .append("userId", userId)
        .append("deviceId", deviceId)
        .append("reason", reason.wire())
        .append("revokedAt", java.util.Date.from(revokedAt));
  }

  static AttestationRevocation fromDocument(Document d) {
    return new AttestationRevocation(
        ((Number) d.get("_id")).longValue(),
        d.getString("attestation"),
        d.getString("userId"),
        d.getString("deviceId"),
        WireEnum.parse(Reason.class, d.getString("reason")),
        d.getDate("revokedAt").toInstant());
  }
}
