package org.liaison.server.devices;

import io.vertx.core.Future;
import java.util.Optional;
import org.liaison.server.accounts.User;

/**
 * The coordinator-key side of a change to a user (implemented in {@code coordinatorkeys}, wired in
 * {@code LiaisonServer}, so devices need not depend on it): a coordinator attestation states a tier
 * and a city scope, and clients trust broadcasts and device confirmations on it, so a change to the
 * user takes it back.
 */
public interface CoordinatorAttestations {
  /** Takes back the user's signed coordinator attestation; empty when they held none. */
  Future<Optional<byte[]>> withdraw(User user);

  CoordinatorAttestations NONE = user -> Future.succeededFuture(Optional.empty());
}
