package org.liaison.crypto.mls;

import java.util.Optional;
import org.liaison.crypto.Ed25519;
import org.liaison.crypto.attestation.AttestationChain;

/**
 * One device of one user: its Ed25519 signature key (its MLS leaf key: each device is its own leaf)
 * and the credential it presents. The private key never leaves the device except inside an
 * encrypted key backup.
 */
public final class DeviceIdentity {
  private final MemberCredential credential;
  private final Ed25519.KeyPair signatureKey;

  public DeviceIdentity(
      String userId,
      String deviceId,
      Ed25519.KeyPair signatureKey,
      Optional<AttestationChain> chain) {
    this.credential = new MemberCredential(userId, deviceId, chain);
    this.signatureKey = signatureKey;
  }

  public static DeviceIdentity generate(String userId, String deviceId) {
    return new DeviceIdentity(userId, deviceId, Ed25519.KeyPair.generate(), Optional.empty());
  }

  /** The same device presenting an attestation chain for its key. */
  public DeviceIdentity withAttestation(AttestationChain chain) {
    return new DeviceIdentity(userId(), deviceId(), signatureKey, Optional.of(chain));
  }

  public String userId() {
    return credential.userId();
  }

  public String deviceId() {
    return credential.deviceId();
  }

  public MemberCredential credential() {
    return credential;
  }

  public byte[] signaturePublicKey() {
    return signatureKey.publicKey();
  }

  /**
   * Signs with the device's leaf key under a label (see {@link Ed25519}): for records outside MLS
   * that members must attribute to this device, such as document updates.
   */
  public byte[] sign(String label, byte[] message) {
    return signatureKey.sign(label, message);
  }

  byte[] signaturePrivateKey() {
    return signatureKey.privateSeed();
  }

  /** The same key in the form bcmls' external join takes. */
  org.bouncycastle.crypto.AsymmetricCipherKeyPair signatureKeyPair() {
    return new org.bouncycastle.crypto.AsymmetricCipherKeyPair(
        new org.bouncycastle.crypto.params.Ed25519PublicKeyParameters(signatureKey.publicKey(), 0),
        new org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters(
            signatureKey.privateSeed(), 0));
  }

  @Override
  public String toString() {
    return "DeviceIdentity[" + userId() + "/" + deviceId() + "]";
  }
}
