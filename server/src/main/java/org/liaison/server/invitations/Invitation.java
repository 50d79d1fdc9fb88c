package org.liaison.server.invitations;

import java.time.Instant;
import java.util.Date;
import org.bson.Document;
import org.liaison.server.accounts.Role;
import org.liaison.server.accounts.Tier;
import org.liaison.server.organisations.Sector;

/**
 * A one-time invitation. Only a hash of the code is stored: whoever reads the database cannot
 * register with it. {@code email} is null only for the bootstrap invitation.
 */
record Invitation(
    String id,
    String codeHash,
    String email,
    String cityId,
    String organisationId,
    Sector sector,
    Tier tier,
    Role role,
    String createdBy,
    Instant createdAt,
    Instant expiresAt,
    String status,
    String language,
    Delivery delivery) {

  static final String PENDING = "pending";
  static final String USED = "used";
  static final String REVOKED = "revoked";

  /**
   * Where the invitation e-mail stands: {@code sending}, {@code sent}, or {@code failed} with a
   * short reason code ({@link org.liaison.server.mail.Mailer.Reason}). Null when none was sent.
   */
  record Delivery(String status, String reason, Instant at) {
    static final String SENDING = "sending";
    static final String SENT = "sent";
    static final String FAILED = "failed";

    io.vertx.core.json.JsonObject toJson() {
      io.vertx.core.json.JsonObject json =
          new io.vertx.core.json.JsonObject().put("status", status).put("at", at.toString());
      if (reason != null) {
        json.put("reason", reason);
      }
      return json;
    }

    Document toDocument() {
      return new Document("status", status).append("reason", reason).append("at", Date.from(at));
    }

    static Delivery fromDocument(Document d) {
      return d == null
          ? null
          : new Delivery(d.getString("status"), d.getString("reason"), d.getDate("at").toInstant());
    }
  }

  /** How the invitation is listed to those who manage it: never the code or its hash. */
  io.vertx.core.json.JsonObject toListing(Instant now) {
    return new io.vertx.core.json.JsonObject()
        .put("id", id)
        .put("email", email)
        .put("cityId", cityId)
        .put("organisationId", organisationId)
        .put("sector", sector.wire())
        .put("tier", tier.name())
        .put("role", role.wire())
        .put("createdBy", createdBy)
        .put("createdAt", createdAt.toString())
        .put("expiresAt", expiresAt.toString())
        .put("expired", !now.isBefore(expiresAt))
        .put("language", language)
        .put("delivery", delivery == null ? null : delivery.toJson());
  }

  Document toDocument() {
    return new Document("_id", id)
        .append("codeHash", codeHash)
        .append("email", email)
        .append("cityId", cityId)
        .append("organisationId", organisationId)
        .append("sector", sector.wire())
        .append("tier", tier.name())
        .append("role", role.wire())
        .append("createdBy", createdBy)
        .append("createdAt", Date.from(createdAt))
        .append("expiresAt", Date.from(expiresAt))
        .append("status", status)
        .append("language", language)
        .append("delivery", delivery == null ? null : delivery.toDocument());
  }

  static Invitation fromDocument(Document d) {
    return new Invitation(
        d.getString("_id"),
        d.getString("codeHash"),
        d.getString("email"),
        d.getString("cityId"),
        d.getString("organisationId"),
        Sector.parse(d.getString("sector")),
        Tier.parse(d.getString("tier")),
        Role.parse(d.getString("role")),
        d.getString("createdBy"),
        d.getDate("createdAt").toInstant(),
        d.getDate("expiresAt").toInstant(),
        d.getString("status"),
        d.getString("language"),
        Delivery.fromDocument(d.get("delivery", Document.class)));
  }
}
