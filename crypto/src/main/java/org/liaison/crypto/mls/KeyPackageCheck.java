package org.liaison.crypto.mls;

import java.util.Arrays;
import java.util.Optional;
import org.bouncycastle.mls.TreeKEM.LeafNode;
import org.bouncycastle.mls.codec.KeyPackage;
import org.bouncycastle.mls.codec.MLSMessage;
import org.bouncycastle.mls.codec.WireFormat;

/**
 * The one check of a key package, wherever one arrives: it decodes as an MLSMessage carrying a key
 * package, its signature verifies under its own leaf's key, and its credential reads. The key
 * directory also requires that it is the uploading device's ({@link #mismatch}); a member adding it
 * to a channel also applies its {@link Trust} ({@link ChannelSession#add}).
 */
public final class KeyPackageCheck {
  private KeyPackageCheck() {}

  /** How a valid key package fails to be a given device's. */
  public enum Mismatch {
    /** Its credential names another user or another device. */
    OTHER_DEVICE,
    /** Its leaf (so its signature) carries another key than the device's signature key. */
    OTHER_KEY
  }

  /**
   * Decodes and verifies a key package as uploaded (MLSMessage bytes). Throws {@link MlsException}:
   * {@code MALFORMED} if it does not decode or is not a key package, {@code REJECTED} if its
   * signature does not verify, {@code UNTRUSTED_MEMBER} if its credential does not read.
   */
  public static ChannelSession.KeyPackageInfo inspect(byte[] bytes) {
    KeyPackage keyPackage = verified(bytes);
    LeafNode leaf = keyPackage.getLeafNode();
    return new ChannelSession.KeyPackageInfo(
        keyPackage.getSuite().getSuiteID(),
        ChannelSession.credentialOf(leaf),
        leaf.getSignatureKey());
  }

  /**
   * Empty if an inspected key package is this device's own: its credential names {@code userId} and
   * {@code deviceId}, and its leaf carries {@code signatureKey}. Otherwise what differs (the
   * credential is compared first).
   */
  public static Optional<Mismatch> mismatch(
      ChannelSession.KeyPackageInfo info, String userId, String deviceId, byte[] signatureKey) {
    if (!names(info.credential(), userId, deviceId)) {
      return Optional.of(Mismatch.OTHER_DEVICE);
    }
    if (!Arrays.equals(info.signatureKey(), signatureKey)) {
      return Optional.of(Mismatch.OTHER_KEY);
    }
    return Optional.empty();
  }

  /** Whether a credential names this device of this user. */
  static boolean names(MemberCredential credential, String userId, String deviceId) {
    return credential.userId().equals(userId) && credential.deviceId().equals(deviceId);
  }

  /** The decoded key package, once it is known to be one and its signature verifies. */
  static KeyPackage verified(byte[] bytes) {
    MLSMessage message = ChannelSession.decode(bytes);
    if (message.wireFormat != WireFormat.mls_key_package) {
      throw new MlsException(MlsException.Reason.MALFORMED, "not a key package");
    }
    KeyPackage keyPackage = message.keyPackage;
    boolean valid = ChannelSession.run(MlsException.Reason.MALFORMED, keyPackage::verify);
    if (!valid) {
      throw new MlsException(MlsException.Reason.REJECTED, "key package signature does not verify");
    }
    return keyPackage;
  }
}
