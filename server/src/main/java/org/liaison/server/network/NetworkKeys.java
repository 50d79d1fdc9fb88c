package org.liaison.server.network;

import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Optional;
import org.liaison.server.access.AccessRules;
import org.liaison.server.accounts.User;
import org.liaison.server.audit.AuditLog;
import org.liaison.server.events.Events;

/**
 * Setting the network root key, once: audited, and announced to every open connection, so clients
 * that registered before the root existed fetch it and verify their channels without a restart.
 */
public final class NetworkKeys {
  private final NetworkRoot root;
  private final AuditLog audit;
  private final EventBus events;

  public NetworkKeys(NetworkRoot root, AuditLog audit, EventBus events) {
    this.root = root;
    this.audit = audit;
    this.events = events;
  }

  /** The root key, if a network admin has set it. */
  public Future<Optional<byte[]>> rootKey() {
    return root.key();
  }

  /** A network admin sets the root key; {@code 409 root-key-set} the second time. */
  public Future<byte[]> setRootKey(User actor, byte[] key) {
    AccessRules.requireNetworkAdmin(actor);
    return root.setOnce(key)
        .compose(
            v ->
                audit.append(
                    actor.id(),
                    "network.root-key-set",
                    null,
                    null,
                    Map.of("fingerprint", NetworkRoot.fingerprint(key))))
        .map(
            entry -> {
              // Publish, not send: every connection on every node re-reads the network.
              events.publish(
                  Events.NETWORK,
                  new JsonObject().put("type", "network-updated").put("reason", "root-key"));
              return key;
            });
  }
}
