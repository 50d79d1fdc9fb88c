package org.liaison.server.store;

import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.message.MongoMessage;
import io.netty.channel.Channel;
import java.util.concurrent.TimeUnit;
import org.h2.mvstore.MVStore;

/**
 * The embedded store's backend, made durable: a command's reply (the write acknowledgement the
 * driver waits for) is sent only after its changes are committed to the H2 file and the file is
 * synced. H2's own background commit runs once a second, so before this a {@code kill -9} lost the
 * last second of acknowledged messages and the log then handed out their seq numbers again.
 *
 * <p>Commits are grouped: at most one every {@link #COMMIT_INTERVAL_NANOS}, covering every write
 * that finished before it started, while the writers wait (on the store's own threads, never an
 * event loop). An MVStore commit rewrites the changed pages, so one per write cost a loaded node
 * most of a core and grew the file fivefold; a few milliseconds of waiting buys that back.
 */
final class DurableH2Backend extends H2Backend {
  private static final long COMMIT_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  private final MVStore mvStore;
  private final Object lock = new Object();
  // All guarded by lock.
  private long commitsStarted;
  private long commitsDone;
  private long nextCommitAt = System.nanoTime();
  private long syncedVersion = -1;

  DurableH2Backend(MVStore mvStore) {
    super(mvStore);
    this.mvStore = mvStore;
  }

  @Override
  public Document handleCommand(Channel channel, String database, String command, Document query) {
    try {
      return super.handleCommand(channel, database, command, query);
    } finally {
      awaitDurable();
    }
  }

  @Override
  public Document handleMessage(MongoMessage message) {
    try {
      return super.handleMessage(message);
    } finally {
      awaitDurable();
    }
  }

  /**
   * Returns once everything this thread wrote is synced: at once when nothing is unsaved (reads),
   * else after the next commit that starts from now on. Also after failed commands: a
   * multi-document write may have applied some documents.
   */
  private void awaitDurable() {
    synchronized (lock) {
      if (!mvStore.hasUnsavedChanges() && mvStore.getCurrentVersion() == syncedVersion) {
        return;
      }
      long coveredFrom = commitsStarted + 1;
      while (commitsDone < coveredFrom) {
        long wait = nextCommitAt - System.nanoTime();
        if (commitsStarted < coveredFrom && wait <= 0) {
          commitAndSync();
        } else {
          waitNanos(Math.max(wait, TimeUnit.MILLISECONDS.toNanos(1)));
        }
      }
    }
  }

  /** Under lock: H2's background writer may have committed already; it never syncs. */
  private void commitAndSync() {
    commitsStarted++;
    try {
      if (mvStore.hasUnsavedChanges()) {
        mvStore.commit();
      }
      mvStore.sync();
      syncedVersion = mvStore.getCurrentVersion();
    } finally {
      commitsDone = commitsStarted;
      nextCommitAt = System.nanoTime() + COMMIT_INTERVAL_NANOS;
      lock.notifyAll();
    }
  }

  private void waitNanos(long nanos) {
    try {
      TimeUnit.NANOSECONDS.timedWait(lock, nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the store to sync", e);
    }
  }
}
