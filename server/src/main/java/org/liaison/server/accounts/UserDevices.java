package org.liaison.server.accounts;

import io.vertx.core.Future;
import java.util.Collection;
import java.util.Map;

/**
 * What accounts needs from devices: a device attestation states its owner's tier, role, sector and
 * city, so a change to those withdraws it at once, and a suspension revokes it. Devices depend on
 * accounts (owners, their tier); this interface, implemented there and wired in {@code
 * LiaisonServer}, keeps the dependency one-way.
 */
public interface UserDevices {
  /** What happened to the user that their devices' attestations no longer hold. */
  enum Change {
    /** Lowered (or otherwise changed so that the old attestation overstates it): revoked. */
    TIER_CHANGED,
    /**
     * Raised: the old attestation still states a tier the member holds at least, so it stays valid
     * in the channels the member is in and is not revoked (that would pause all of them); the
     * devices wait for a coordinator to confirm the new tier before joining higher channels.
     */
    TIER_RAISED,
    ROLE_CHANGED,
    USER_SUSPENDED
  }

  /**
   * The user's attestations no longer hold: they go on the revocation list, and for a tier or role
   * change the active devices go back to pending until a coordinator confirms them again.
   */
  Future<Void> attestationsWithdrawn(User actor, User user, Change change);

  /** How many devices of each user wait for a coordinator to confirm them again (absent: none). */
  Future<Map<String, Integer>> pendingConfirmation(Collection<String> userIds);
}
