package org.liaison.server.auth;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bson.Document;
import org.liaison.server.accounts.UserSessions;
import org.liaison.server.api.ApiError;
import org.liaison.server.api.Ids;
import org.liaison.server.store.Mongo;
import org.liaison.server.store.Store;

/** Login sessions and the rotation of their refresh tokens. */
public final class SessionRepository implements UserSessions {
  private final MongoCollection<Document> sessions;
  private final Clock clock;
  private final Duration lifetime;

  /** A session and the refresh token that now unlocks it (shown to the client once). */
  public record Issued(String sessionId, String userId, String refreshToken) {}

  public SessionRepository(Store store, Clock clock, Duration lifetime) {
    this.sessions = store.collection("sessions");
    this.clock = clock;
    this.lifetime = lifetime;
  }

  public Future<Void> createIndexes() {
    return Mongo.first(sessions.createIndex(Indexes.ascending("userId"))).mapEmpty();
  }

  public Future<Issued> open(String userId) {
    String id = Ids.newId();
    String token = Tokens.newRefreshToken(id);
    Instant now = clock.instant();
    Session session =
        new Session(
            id, userId, Tokens.hash(token), List.of(), now, now.plus(lifetime), false, null);
    return Mongo.first(sessions.insertOne(session.toDocument()))
        .map(r -> new Issued(id, userId, token));
  }

  /** What a request learns about its session: usable or not, and the device it is bound to. */
  public record State(boolean usable, Optional<String> deviceId) {}

  public Future<State> state(String sessionId) {
    return Mongo.optional(sessions.find(Filters.eq("_id", sessionId)).first())
        .map(
            d ->
                d.map(Session::fromDocument)
                    .filter(s -> s.usableAt(clock.instant()))
                    .map(s -> new State(true, Optional.ofNullable(s.deviceId())))
                    .orElse(new State(false, Optional.empty())));
  }

  /** Binds the session to a device; false if it is already bound (to any device). */
  public Future<Boolean> bindDevice(String sessionId, String deviceId) {
    return Mongo.first(
            sessions.updateOne(
                Filters.and(Filters.eq("_id", sessionId), Filters.eq("deviceId", null)),
                Updates.set("deviceId", deviceId)))
        .map(r -> r.getModifiedCount() == 1);
  }

  /** Ends every session bound to a device: a revoked device's tokens stop working at once. */
  public Future<Void> revokeDevice(String deviceId) {
    return Mongo.optional(
            sessions.updateMany(Filters.eq("deviceId", deviceId), Updates.set("revoked", true)))
        .mapEmpty();
  }

  /**
   * Exchanges a refresh token for a new one. Presenting an already-rotated token (or racing two
   * refreshes with one token) revokes the whole family: one of the two holders is not the user.
   */
  public Future<Issued> rotate(String presented) {
    String sessionId = Tokens.sessionOf(presented);
    String presentedHash = Tokens.hash(presented);
    return Mongo.optional(sessions.find(Filters.eq("_id", sessionId)).first())
        .compose(
            found -> {
              Session session =
                  found
                      .map(Session::fromDocument)
                      .orElseThrow(SessionRepository::invalidRefreshToken);
              if (!session.usableAt(clock.instant())) {
                throw ApiError.sessionEnded();
              }
              if (session.previousHashes().contains(presentedHash)) {
                return revoke(sessionId).compose(v -> Future.failedFuture(reused()));
              }
              if (!session.tokenHash().equals(presentedHash)) {
                throw invalidRefreshToken();
              }
              return swap(session, presentedHash);
            });
  }

  private Future<Issued> swap(Session session, String presentedHash) {
    String next = Tokens.newRefreshToken(session.id());
    List<String> previous = new ArrayList<>(session.previousHashes());
    previous.add(presentedHash);
    while (previous.size() > Session.REMEMBERED_HASHES) {
      previous.remove(0);
    }
    return Mongo.optional(
            sessions.findOneAndUpdate(
                Filters.and(
                    Filters.eq("_id", session.id()),
                    Filters.eq("tokenHash", presentedHash),
                    Filters.eq("revoked", false)),
                Updates.combine(
                    Updates.set("tokenHash", Tokens.hash(next)),
                    Updates.set("previousHashes", previous)),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER)))
        .compose(
            updated ->
                updated.isPresent()
                    ? Future.succeededFuture(new Issued(session.id(), session.userId(), next))
                    : revoke(session.id()).compose(v -> Future.failedFuture(reused())));
  }

  public Future<Void> revoke(String sessionId) {
    return Mongo.optional(
            sessions.updateOne(Filters.eq("_id", sessionId), Updates.set("revoked", true)))
        .mapEmpty();
  }

  /** Ends every session of a user, e.g. on suspension. */
  @Override
  public Future<Void> revokeAll(String userId) {
    return Mongo.optional(
            sessions.updateMany(Filters.eq("userId", userId), Updates.set("revoked", true)))
        .mapEmpty();
  }

  /**
   * Ends every open session of a user but {@code keep} (null: all of them) and returns the ids of
   * those it ended, so their sockets can be closed too (a password change or reset).
   */
  public Future<List<String>> revokeOthers(String userId, String keep) {
    return Mongo.list(
            sessions.find(Filters.and(Filters.eq("userId", userId), Filters.eq("revoked", false))))
        .compose(
            open -> {
              List<String> ids =
                  open.stream()
                      .map(d -> d.getString("_id"))
                      .filter(id -> !id.equals(keep))
                      .toList();
              if (ids.isEmpty()) {
                return Future.succeededFuture(ids);
              }
              return Mongo.optional(
                      sessions.updateMany(Filters.in("_id", ids), Updates.set("revoked", true)))
                  .map(r -> ids);
            });
  }

  public Future<Optional<String>> userOf(String sessionId) {
    return Mongo.optional(sessions.find(Filters.eq("_id", sessionId)).first())
        .map(d -> d.map(doc -> doc.getString("userId")));
  }

  private static ApiError invalidRefreshToken() {
    return ApiError.unauthorized("invalid-refresh-token", "The refresh token is not valid");
  }

  private static ApiError reused() {
    return ApiError.unauthorized(
        "refresh-token-reused",
        "This refresh token was already used; the session has been ended for safety");
  }
}
