package org.liaison.crypto.mls;

import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.mls.codec.KeyPackage;
import org.bouncycastle.mls.codec.MLSMessage;
import org.bouncycastle.mls.codec.MLSOutputStream;

/**
 * A key package this device published and the private keys it needs to join from a Welcome that
 * used it. One-time packages are used once; the last-resort one may be reused until replaced (the
 * key directory records which is which: bcmls cannot carry the last_resort extension).
 */
public final class KeyPackageSecrets {
  final KeyPackage keyPackage;
  final AsymmetricCipherKeyPair initKey;
  final AsymmetricCipherKeyPair encryptionKey;
  private final byte[] wire;

  KeyPackageSecrets(
      KeyPackage keyPackage, AsymmetricCipherKeyPair initKey, AsymmetricCipherKeyPair encryptionKey)
      throws java.io.IOException {
    this.keyPackage = keyPackage;
    this.initKey = initKey;
    this.encryptionKey = encryptionKey;
    this.wire = MLSOutputStream.encode(MLSMessage.keyPackage(keyPackage));
  }

  /** The MLSMessage(key_package) bytes to upload to the key directory. */
  public byte[] publicBytes() {
    return wire.clone();
  }

  @Override
  public String toString() {
    return "KeyPackageSecrets[hidden]";
  }
}
