package org.liaison.server.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.liaison.crypto.Argon2id;
import org.liaison.crypto.ConstantTime;
import org.liaison.server.accounts.PasswordHash;

/**
 * Makes and checks password verifiers. Argon2id is deliberately slow and memory-hungry, so it runs
 * on worker threads, never on the event loop.
 */
public final class PasswordHasher {
  public static final int MIN_LENGTH = 12;
  public static final int MAX_LENGTH = 1024;
  private static final int HASH_LENGTH = 32;

  private final Vertx vertx;
  private final Argon2id.Cost cost;
  private final PasswordHash decoy;

  public PasswordHasher(Vertx vertx, Argon2id.Cost cost) {
    this.vertx = vertx;
    this.cost = cost;
    // Checked against when an e-mail is unknown, so both answers take the same time.
    this.decoy = new PasswordHash(Argon2id.newSalt(), cost, new byte[HASH_LENGTH]);
  }

  public Future<PasswordHash> hash(String password) {
    return vertx.executeBlocking(
        () -> {
          byte[] salt = Argon2id.newSalt();
          return new PasswordHash(salt, cost, Argon2id.derive(password, salt, cost, HASH_LENGTH));
        },
        false);
  }

  public Future<Boolean> verify(String password, PasswordHash stored) {
    return vertx.executeBlocking(
        () ->
            ConstantTime.equal(
                Argon2id.derive(password, stored.salt(), stored.cost(), stored.hash().length),
                stored.hash()),
        false);
  }

  /** Spends the time of a verification and always answers false. */
  public Future<Boolean> verifyDecoy(String password) {
    return verify(password, decoy).map(ignored -> false);
  }
}
