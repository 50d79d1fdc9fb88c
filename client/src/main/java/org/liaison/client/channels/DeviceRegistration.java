package org.liaison.client.channels;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.liaison.client.LiaisonClient;
import org.liaison.client.LiaisonException;
import org.liaison.crypto.Ed25519;
import org.liaison.crypto.Labels;
import org.liaison.crypto.attestation.AttestationChain;
import org.liaison.crypto.mls.DeviceIdentity;

/**
 * The device itself: registering or resuming it, its keys and attestation chain, and the check that
 * the server names the network root this device was configured with. Runs on the device's context.
 */
final class DeviceRegistration {
  private final DeviceContext ctx;
  private final LiaisonClient client;
  private final NetworkTrust network;
  private DeviceKeys keys;
  private DeviceIdentity identity;

  DeviceRegistration(DeviceContext ctx, NetworkTrust network) {
    this.ctx = ctx;
    this.client = ctx.client;
    this.network = network;
  }

  Optional<DeviceKeys> keys() {
    return Optional.ofNullable(keys);
  }

  DeviceKeys requireKeys() {
    if (keys == null) {
      throw new IllegalStateException("register or resume a device first");
    }
    return keys;
  }

  /** This device's MLS identity; null before {@link #register} or {@link #resume}. */
  DeviceIdentity identity() {
    return identity;
  }

  /** Creates a signature key, registers this device and binds the session to it. */
  Future<DeviceKeys> register(String name) {
    return checkNetwork()
        .compose(
            v -> {
              Ed25519.KeyPair key = Ed25519.KeyPair.generate();
              return client
                  .registerDevice(name, key.publicKey(), Optional.empty())
                  .map(
                      json ->
                          adopt(
                              new DeviceKeys(
                                  json.getString("userId"),
                                  json.getString("id"),
                                  key,
                                  Optional.empty())));
            });
  }

  /** Checks the chain here first (against the configured root, for this key and user). */
  Future<DeviceKeys> attachAttestation(AttestationChain chain) {
    DeviceKeys current = requireKeys();
    chain.verify(
        ctx.rootKey(),
        current.signatureKey().publicKey(),
        current.userId(),
        ctx.options.clock().instant());
    return client
        .attachAttestation(current.deviceId(), chain.encode())
        .map(json -> adopt(current.withChain(chain)));
  }

  /**
   * Binds a new login's session to the stored device, and takes an attestation a coordinator
   * attached meanwhile once it verifies.
   */
  Future<DeviceKeys> resume(DeviceKeys stored) {
    return checkNetwork()
        .compose(
            v ->
                client
                    .keyPackageCount()
                    .<Object>map(count -> count)
                    .recover(
                        e -> {
                          // any device-only call tells whether this session is bound yet
                          if (LiaisonException.hasCode(e, "device-required")) {
                            return client
                                .bindDeviceSession(stored.deviceId(), sessionSignature(stored))
                                .map(bound -> bound);
                          }
                          return Future.failedFuture(e);
                        }))
        .compose(
            v -> stored.chain().isPresent() ? Future.succeededFuture(stored) : fetchChain(stored))
        .map(this::adopt);
  }

  /**
   * The server must name the root key this client was configured with, or none yet (people register
   * before an admin publishes it); another one fails with {@link UntrustedServerException}.
   */
  Future<Void> checkNetwork() {
    return network.checkRoot().mapEmpty();
  }

  private byte[] sessionSignature(DeviceKeys stored) {
    return stored
        .signatureKey()
        .sign(Labels.DEVICE_SESSION, client.sessionId().getBytes(StandardCharsets.UTF_8));
  }

  private Future<DeviceKeys> fetchChain(DeviceKeys stored) {
    return client
        .devices()
        .map(
            devices -> {
              for (int i = 0; i < devices.size(); i++) {
                JsonObject d = devices.getJsonObject(i);
                String attestation = d.getString("attestation");
                if (stored.deviceId().equals(d.getString("id")) && attestation != null) {
                  AttestationChain chain =
                      AttestationChain.decode(LiaisonClient.unb64(attestation));
                  chain.verify(
                      ctx.rootKey(),
                      stored.signatureKey().publicKey(),
                      stored.userId(),
                      ctx.options.clock().instant());
                  return stored.withChain(chain);
                }
              }
              return stored;
            });
  }

  private DeviceKeys adopt(DeviceKeys newKeys) {
    keys = newKeys;
    identity = newKeys.identity();
    return newKeys;
  }
}
