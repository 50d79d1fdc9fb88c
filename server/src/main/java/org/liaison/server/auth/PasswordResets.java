package org.liaison.server.auth;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.vertx.core.Future;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.Optional;
import java.util.function.Supplier;
import org.bson.Document;
import org.liaison.crypto.Digests;
import org.liaison.server.store.Mongo;
import org.liaison.server.store.Store;

/**
 * One-time password-reset links an administrator (or the member's city coordinator) makes for a
 * member. As with invitations only the SHA-256 of the code is stored; a user has at most one link
 * (stored under their id), so making a new one replaces, and so revokes, the previous one. A link
 * works once, within {@value #VALIDITY_HOURS} hours.
 */
public final class PasswordResets {
  public static final int VALIDITY_HOURS = 72;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final MongoCollection<Document> resets;
  private final Clock clock;
  private final Duration validity;
  private final Supplier<String> publicUrl;

  /** The link, shown once to whoever made it, and when it stops working. */
  public record Created(String link, Instant expiresAt) {
    @Override
    public String toString() {
      return "Created[expiresAt=" + expiresAt + "]";
    }
  }

  public PasswordResets(Store store, Clock clock, Duration validity, Supplier<String> publicUrl) {
    this.resets = store.collection("password_resets");
    this.clock = clock;
    this.validity = validity;
    this.publicUrl = publicUrl;
  }

  public Future<Void> createIndexes() {
    return Mongo.first(
            resets.createIndex(Indexes.ascending("codeHash"), new IndexOptions().unique(true)))
        .mapEmpty();
  }

  /** A new link for {@code userId}, replacing any earlier one. */
  public Future<Created> create(String userId, String createdBy) {
    String code = newCode();
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    Instant expiresAt = now.plus(validity);
    Document reset =
        new Document("_id", userId)
            .append("codeHash", Digests.sha256Hex(code))
            .append("createdBy", createdBy)
            .append("createdAt", Date.from(now))
            .append("expiresAt", Date.from(expiresAt));
    return Mongo.first(
            resets.replaceOne(Filters.eq("_id", userId), reset, new ReplaceOptions().upsert(true)))
        .map(r -> new Created(publicUrl.get() + "/reset/" + code, expiresAt));
  }

  /**
   * Uses the code: the user it was made for, and the link is gone; empty for an unknown, used,
   * replaced or expired code (all the same to the caller, so nobody learns which codes existed).
   */
  public Future<Optional<String>> consume(String code) {
    return Mongo.optional(
            resets.findOneAndDelete(
                Filters.and(
                    Filters.eq("codeHash", Digests.sha256Hex(code)),
                    Filters.gt("expiresAt", Date.from(clock.instant())))))
        .map(found -> found.map(d -> d.getString("_id")));
  }

  /** 160 random bits, URL-safe. */
  private static String newCode() {
    byte[] bytes = new byte[20];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
