package org.liaison.server.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import org.liaison.crypto.Digests;
import org.liaison.server.api.ApiError;

/**
 * Access tokens (ES256 JWTs naming the user and the session) and refresh tokens (random, shown
 * once, stored only as a hash).
 */
public final class Tokens {
  private static final String ISSUER = "liaison";
  private static final String AUDIENCE = "liaison-api";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final JWTAuth jwt;
  private final int accessSeconds;
  private final Clock clock;

  /** A verified access token. */
  public record AccessClaims(String userId, String sessionId) {}

  public Tokens(Vertx vertx, SigningKeys keys, int accessMinutes, Clock clock) {
    this.accessSeconds = accessMinutes * 60;
    this.clock = clock;
    // Expiry is checked below, after the signature, so an expired token gets its own error code.
    JWTAuthOptions options =
        new JWTAuthOptions()
            .addPubSecKey(new PubSecKeyOptions().setAlgorithm("ES256").setBuffer(keys.publicPem()))
            .addPubSecKey(new PubSecKeyOptions().setAlgorithm("ES256").setBuffer(keys.privatePem()))
            .setJWTOptions(
                new JWTOptions()
                    .setIgnoreExpiration(true)
                    .setIssuer(ISSUER)
                    .setAudience(List.of(AUDIENCE)));
    this.jwt = JWTAuth.create(vertx, options);
  }

  public int accessSeconds() {
    return accessSeconds;
  }

  public String issueAccess(String userId, String sessionId) {
    long now = clock.instant().getEpochSecond();
    return jwt.generateToken(
        new JsonObject()
            .put("sub", userId)
            .put("sid", sessionId)
            .put("iat", now)
            .put("exp", now + accessSeconds),
        new JWTOptions()
            .setAlgorithm("ES256")
            .setIssuer(ISSUER)
            .setAudience(List.of(AUDIENCE))
            .setNoTimestamp(true));
  }

  public Future<AccessClaims> verifyAccess(String token) {
    return jwt.authenticate(new TokenCredentials(token))
        .recover(e -> Future.failedFuture(ApiError.invalidToken()))
        .map(
            user -> {
              // The verified payload; principal() omits the registered claims such as exp.
              JsonObject claims = user.attributes().getJsonObject("accessToken", new JsonObject());
              Long exp = claims.getLong("exp");
              String sub = claims.getString("sub");
              String sid = claims.getString("sid");
              if (exp == null || sub == null || sid == null) {
                throw ApiError.invalidToken();
              }
              if (exp <= clock.instant().getEpochSecond()) {
                throw ApiError.unauthorized(
                    "token-expired", "The access token has expired; refresh it");
              }
              return new AccessClaims(sub, sid);
            });
  }

  /** A refresh token is "{sessionId}.{secret}": the session names the family to rotate. */
  public static String newRefreshToken(String sessionId) {
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    return sessionId + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
  }

  public static String sessionOf(String refreshToken) {
    int dot = refreshToken.indexOf('.');
    return dot > 0 ? refreshToken.substring(0, dot) : "";
  }

  /** Refresh tokens carry 256 random bits, so a plain SHA-256 is a sufficient stored verifier. */
  public static String hash(String token) {
    return Digests.sha256Hex(token);
  }
}
