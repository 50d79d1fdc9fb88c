package org.liaison.server.accounts;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.bson.Document;
import org.liaison.server.organisations.Sector;

/**
 * A member of the network. {@code cityId} and {@code organisationId} are null only for the first
 * network admin, who is created from the bootstrap invitation before any city exists.
 */
public record User(
    String id,
    String email,
    String displayName,
    String preferredLanguage,
    String cityId,
    String organisationId,
    Sector sector,
    Tier tier,
    Role role,
    UserStatus status,
    PasswordHash password,
    Instant createdAt) {

  public boolean active() {
    return status == UserStatus.ACTIVE;
  }

  public User withTier(Tier newTier) {
    return new User(
        id,
        email,
        displayName,
        preferredLanguage,
        cityId,
        organisationId,
        sector,
        newTier,
        role,
        status,
        password,
        createdAt);
  }

  /** What the API shows; {@code withEmail} is false for directory views by ordinary members. */
  public JsonObject toJson(boolean withEmail) {
    JsonObject json =
        new JsonObject()
            .put("id", id)
            .put("displayName", displayName)
            .put("preferredLanguage", preferredLanguage)
            .put("cityId", cityId)
            .put("organisationId", organisationId)
            .put("sector", sector.wire())
            .put("tier", tier.name())
            .put("role", role.wire())
            .put("status", status.wire())
            .put("createdAt", createdAt.toString());
    if (withEmail) {
      json.put("email", email);
    }
    return json;
  }

  Document toDocument() {
    return new Document("_id", id)
        .append("email", email)
        .append("displayName", displayName)
        .append("preferredLanguage", preferredLanguage)
        .append("cityId", cityId)
        .append("organisationId", organisationId)
        .append("sector", sector.wire())
        .append("tier", tier.name())
        .append("role", role.wire())
        .append("status", status.wire())
        .append("password", password.toDocument())
        .append("createdAt", java.util.Date.from(createdAt));
  }

  static User fromDocument(Document d) {
    return new User(
        d.getString("_id"),
        d.getString("email"),
        d.getString("displayName"),
        d.getString("preferredLanguage"),
        d.getString("cityId"),
        d.getString("organisationId"),
        Sector.parse(d.getString("sector")),
        Tier.parse(d.getString("tier")),
        Role.parse(d.getString("role")),
        UserStatus.parse(d.getString("status")),
        PasswordHash.fromDocument(d.get("password", Document.class)),
        d.getDate("createdAt").toInstant());
  }
}
