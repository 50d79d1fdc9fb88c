package org.liaison.client.channels;

import io.vertx.core.json.JsonObject;
import java.util.Optional;
import org.liaison.client.LiaisonClient;
import org.liaison.crypto.Ed25519;
import org.liaison.crypto.attestation.AttestationChain;
import org.liaison.crypto.mls.DeviceIdentity;

/**
 * What a device must keep to be itself after a restart: its user and device ids, its Ed25519
 * signature key (its MLS leaf key) and its attestation chain. {@link #toJson} holds the private key
 * in the clear: whoever stores it must protect the file (the CLI writes it owner-only).
 */
public record DeviceKeys(
    String userId,
    String deviceId,
    Ed25519.KeyPair signatureKey,
    Optional<AttestationChain> chain) {

  public DeviceIdentity identity() {
    return new DeviceIdentity(userId, deviceId, signatureKey, chain);
  }

  public DeviceKeys withChain(AttestationChain newChain) {
    return new DeviceKeys(userId, deviceId, signatureKey, Optional.of(newChain));
  }

  public JsonObject toJson() {
    JsonObject json =
        new JsonObject()
            .put("userId", userId)
            .put("deviceId", deviceId)
            .put("signatureKey", LiaisonClient.b64(signatureKey.privateSeed()));
    chain.ifPresent(c -> json.put("attestation", LiaisonClient.b64(c.encode())));
    return json;
  }

  public static DeviceKeys fromJson(JsonObject json) {
    String attestation = json.getString("attestation");
    return new DeviceKeys(
        json.getString("userId"),
        json.getString("deviceId"),
        Ed25519.KeyPair.fromPrivate(LiaisonClient.unb64(json.getString("signatureKey"))),
        attestation == null
            ? Optional.empty()
            : Optional.of(AttestationChain.decode(LiaisonClient.unb64(attestation))));
  }

  @Override
  public String toString() {
    return "DeviceKeys[" + userId + "/" + deviceId + ", key hidden]";
  }
}
