package org.liaison.server.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the embedded store's acknowledgements durable: a reply is released only after a commit that
 * started after the reply was produced (so after its command's changes), and a sync of the file.
 * H2's own background commit runs once a second and never syncs, so before this a {@code kill -9}
 * lost the last second of acknowledged messages and the log then handed their seq numbers out
 * again.
 *
 * <p>Commits are grouped, at most one every {@link #INTERVAL_MILLIS} on one thread, and nobody
 * blocks: the replies wait in a list, not on a thread. (Waiting inside the store's command handling
 * serialised every command behind each commit; an MVStore commit rewrites the changed pages, so one
 * per write also grew the file fivefold.) A reply when nothing is unsaved, a read, goes at once.
 */
final class GroupCommit implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);
  static final long INTERVAL_MILLIS = 5;

  private final MVStore mvStore;
  private final ScheduledExecutorService committer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread thread = new Thread(r, "liaison-store-commit");
            thread.setDaemon(true);
            return thread;
          });
  // Guarded by this.
  private List<Runnable> waiting = new ArrayList<>();
  private boolean scheduled;
  private long syncedVersion = -1;

  GroupCommit(MVStore mvStore) {
    this.mvStore = mvStore;
  }

  /** Runs {@code release} (which sends a reply) once everything written so far is on disk. */
  void whenDurable(Runnable release) {
    synchronized (this) {
      boolean durable =
          waiting.isEmpty()
              && !mvStore.hasUnsavedChanges()
              && mvStore.getCurrentVersion() == syncedVersion;
      if (!durable) {
        waiting.add(release);
        if (!scheduled) {
          scheduled = true;
          committer.schedule(this::commit, INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        }
        return;
      }
    }
    release.run();
  }

  private void commit() {
    List<Runnable> released;
    synchronized (this) {
      released = waiting;
      waiting = new ArrayList<>();
      scheduled = false;
    }
    try {
      // Every reply taken above was produced after its changes, so this commit covers them.
      if (mvStore.hasUnsavedChanges()) {
        mvStore.commit();
      }
      mvStore.sync();
      synchronized (this) {
        syncedVersion = mvStore.getCurrentVersion();
      }
    } catch (RuntimeException e) {
      // Nothing is acknowledged that is not on disk: the connections close, the driver retries
      // or fails the operation, and the next commit tries again.
      LOG.error("embedded store commit failed; holding back {} replies", released.size(), e);
      throw e;
    }
    released.forEach(Runnable::run);
  }

  /** Commits what is left and releases the last replies; the store closes after this. */
  @Override
  public void close() {
    committer.shutdown();
    try {
      committer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    commit();
  }
}
