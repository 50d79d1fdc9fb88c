package org.liaison.server.auth;

import java.time.Instant;
import java.util.List;
import org.bson.Document;

/**
 * A login: one refresh-token family. Only the current token's hash is valid; recently rotated
 * hashes are kept so that a replayed old token is recognised as theft and ends the family. A
 * session is bound to at most one device ({@code deviceId}, null until the device is registered or
 * re-bound): revoking the device ends the session.
 */
record Session(
    String id,
    String userId,
    String tokenHash,
    List<String> previousHashes,
    Instant createdAt,
    Instant expiresAt,
    boolean revoked,
    String deviceId) {

  static final int REMEMBERED_HASHES = 20;

  boolean usableAt(Instant now) {
    return !revoked && now.isBefore(expiresAt);
  }

  Document toDocument() {
    return new Document("_id", id)
        .append("userId", userId)
        .append("tokenHash", tokenHash)
        .append("previousHashes", previousHashes)
        .append("createdAt", java.util.Date.from(createdAt))
        .append("expiresAt", java.util.Date.from(expiresAt))
        .append("revoked", revoked)
        .append("deviceId", deviceId);
  }

  static Session fromDocument(Document d) {
    return new Session(
        d.getString("_id"),
        d.getString("userId"),
        d.getString("tokenHash"),
        d.getList("previousHashes", String.class, List.of()),
        d.getDate("createdAt").toInstant(),
        d.getDate("expiresAt").toInstant(),
        d.getBoolean("revoked", false),
        d.getString("deviceId"));
  }
}
