package org.liaison.server.accounts;

import io.vertx.core.Future;
import java.util.Set;

/**
 * The people who share at least one channel with a user, for the directory: a member always sees
 * who they already talk with, whatever the tiers (else a channel would show "Unknown member").
 * Implemented from the channel memberships where the server is composed, so accounts does not
 * depend on channels.
 */
@FunctionalInterface
public interface ChannelPeers {
  ChannelPeers NONE = userId -> Future.succeededFuture(Set.of());

  Future<Set<String>> of(String userId);
}
