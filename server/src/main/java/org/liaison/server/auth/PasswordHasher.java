package org.liaison.server.auth;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Callable;
import org.liaison.crypto.Argon2id;
import org.liaison.crypto.ConstantTime;
import org.liaison.server.accounts.PasswordHash;
import org.liaison.server.api.ApiError;

/**
 * Makes and checks password verifiers. Argon2id is deliberately slow and memory-hungry, so it runs
 * on worker threads, never on the event loop, and only one or two at a time on this node (one on a
 * two-core machine; see {@link #MAX_RUNNING}): a burst of logins or registrations (from however
 * many addresses) then queues instead of taking every core and every worker thread from the rest of
 * the server. At most {@value #MAX_WAITING} wait; more are refused with {@code 429
 * too-many-requests}.
 */
public final class PasswordHasher {
  public static final int MIN_LENGTH = 12;
  public static final int MAX_LENGTH = 1024;
  private static final int HASH_LENGTH = 32;
  // Two at most, and never every core: the event loop and the store need one.
  static final int MAX_RUNNING =
      Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors() - 1));
  // A hash at the default cost takes a fraction of a second, so the last of 64 in line waits some
  // seconds, well inside a request's timeout: a room of people signing in at once all get in.
  static final int MAX_WAITING = 64;
  private static final long BUSY_RETRY_SECONDS = 1;

  private final Vertx vertx;
  private final Argon2id.Cost cost;
  private final PasswordHash decoy;
  // Guarded by this.
  private final Queue<Runnable> waiting = new ArrayDeque<>();
  private int running;

  public PasswordHasher(Vertx vertx, Argon2id.Cost cost) {
    this.vertx = vertx;
    this.cost = cost;
    // Checked against when an e-mail is unknown, so both answers take the same time.
    this.decoy = new PasswordHash(Argon2id.newSalt(), cost, new byte[HASH_LENGTH]);
  }

  public Future<PasswordHash> hash(String password) {
    return limited(
        () -> {
          byte[] salt = Argon2id.newSalt();
          return new PasswordHash(salt, cost, Argon2id.derive(password, salt, cost, HASH_LENGTH));
        });
  }

  public Future<Boolean> verify(String password, PasswordHash stored) {
    return limited(
        () ->
            ConstantTime.equal(
                Argon2id.derive(password, stored.salt(), stored.cost(), stored.hash().length),
                stored.hash()));
  }

  /** Spends the time of a verification and always answers false. */
  public Future<Boolean> verifyDecoy(String password) {
    return verify(password, decoy).map(ignored -> false);
  }

  /**
   * Runs {@code work} on a worker when one of the {@link #MAX_RUNNING} slots is free, or queues it;
   * the result comes back on the caller's context. Nothing blocks while waiting.
   */
  private <T> Future<T> limited(Callable<T> work) {
    Context context = vertx.getOrCreateContext();
    Promise<T> result = Promise.promise();
    Runnable start =
        () ->
            context
                .executeBlocking(work, false)
                .onComplete(
                    done -> {
                      finished();
                      result.handle(done);
                    });
    synchronized (this) {
      if (running < MAX_RUNNING) {
        running++;
      } else if (waiting.size() < MAX_WAITING) {
        waiting.add(start);
        return result.future();
      } else {
        return Future.failedFuture(ApiError.tooManyRequests(BUSY_RETRY_SECONDS));
      }
    }
    start.run();
    return result.future();
  }

  /** A slot is free: the next in line takes it, or it stays free. */
  private void finished() {
    Runnable next;
    synchronized (this) {
      next = waiting.poll();
      if (next == null) {
        running--;
        return;
      }
    }
    next.run();
  }
}
