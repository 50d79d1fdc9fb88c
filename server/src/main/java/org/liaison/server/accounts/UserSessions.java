package org.liaison.server.accounts;

import io.vertx.core.Future;

/**
 * What accounts needs from sign-in: ending every session of a user when they are suspended.
 * Sessions live in {@code auth}, which depends on accounts (it loads and registers users); this
 * interface, implemented there and wired in {@code LiaisonServer}, keeps the dependency one-way.
 */
public interface UserSessions {
  /** Ends every session of the user, so their tokens stop working at once. */
  Future<Void> revokeAll(String userId);
}
