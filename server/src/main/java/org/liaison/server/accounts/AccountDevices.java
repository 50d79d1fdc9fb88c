package org.liaison.server.accounts;

import io.vertx.core.Future;

/**
 * What deleting an account needs from devices: every device of the owner revoked the way a single
 * revocation does it (sessions end, key packages go, the attestation goes on the revocation list,
 * sockets close, channels are told to remove it; audited per device). Implemented in {@code
 * devices}, which depends on accounts, and wired in {@code LiaisonServer}.
 */
public interface AccountDevices {
  /** Revokes every device of {@code owner} not revoked yet, by {@code actor}; how many. */
  Future<Integer> revokeAll(User actor, User owner);
}
