package org.liaison.server.store;

import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.message.MongoMessage;
import io.netty.channel.Channel;
import org.h2.mvstore.MVStore;

/**
 * The embedded store's backend, made durable: a command's reply (the write acknowledgement the
 * driver waits for) is sent only after the change is committed to the H2 file and the file is
 * synced. H2's own background commit runs once a second, so before this a {@code kill -9} lost the
 * last second of acknowledged messages and the log then handed out their seq numbers again.
 *
 * <p>Commits are grouped: writers that finish while another commit and sync run wait for it and
 * then find nothing left to save, so a burst of writes costs one sync, not one each.
 */
final class DurableH2Backend extends H2Backend {
  private final MVStore mvStore;
  private final Object syncLock = new Object();

  DurableH2Backend(MVStore mvStore) {
    super(mvStore);
    this.mvStore = mvStore;
  }

  @Override
  public Document handleCommand(Channel channel, String database, String command, Document query) {
    try {
      return super.handleCommand(channel, database, command, query);
    } finally {
      saveAndSync();
    }
  }

  @Override
  public Document handleMessage(MongoMessage message) {
    try {
      return super.handleMessage(message);
    } finally {
      saveAndSync();
    }
  }

  /** Also after failed commands: a multi-document write may have applied some documents. */
  private void saveAndSync() {
    synchronized (syncLock) {
      if (mvStore.hasUnsavedChanges()) {
        mvStore.commit();
        mvStore.sync();
      }
    }
  }
}
