package org.liaison.crypto.mls;

import org.bouncycastle.mls.TreeKEM.LeafNode;
import org.bouncycastle.mls.codec.CredentialType;

/**
 * Reads a leaf's credential: a {@code basic} credential whose identity is a {@link
 * MemberCredential}, nothing else. What an unreadable one means depends on who reads it: malformed
 * input to the server's inspector, an untrusted member to a client.
 */
final class LeafCredentials {
  private LeafCredentials() {}

  static MemberCredential read(LeafNode leaf, MlsException.Reason whenUnreadable) {
    if (leaf.getCredential() == null
        || leaf.getCredential().getCredentialType() != CredentialType.basic) {
      throw new MlsException(whenUnreadable, "not a basic credential");
    }
    try {
      return MemberCredential.decode(leaf.getCredential().getIdentity());
    } catch (RuntimeException e) {
      // DecodeException for the credential, AttestationException for its chain.
      throw new MlsException(whenUnreadable, "unreadable credential: " + e.getMessage(), e);
    }
  }
}
