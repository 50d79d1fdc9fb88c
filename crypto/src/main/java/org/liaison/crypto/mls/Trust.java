package org.liaison.crypto.mls;

import java.time.Clock;
import org.liaison.crypto.attestation.AttestationException;

/**
 * Decides whether a leaf may be in a channel: applied to every key package before it is added, to
 * every member when joining, and to every new member a received commit brings in. A compromised
 * server can order and drop messages, but cannot make a client accept a member this rejects.
 */
@FunctionalInterface
public interface Trust {
  /** Throws {@link MlsException} with {@code UNTRUSTED_MEMBER} if the leaf is not acceptable. */
  void check(MemberCredential credential, byte[] signatureKey);

  /** Accepts any well-formed credential; for tests and tools only. */
  static Trust anyone() {
    return (credential, key) -> {};
  }

  /** Requires an attestation chain from the network root that binds this very signature key. */
  static Trust attestedBy(byte[] rootKey, Clock clock) {
    byte[] root = rootKey.clone();
    return (credential, key) -> {
      if (credential.chain().isEmpty()) {
        throw new MlsException(
            MlsException.Reason.UNTRUSTED_MEMBER, credential.userId() + " has no tier attestation");
      }
      try {
        credential.chain().get().verify(root, key, credential.userId(), clock.instant());
      } catch (AttestationException e) {
        throw new MlsException(
            MlsException.Reason.UNTRUSTED_MEMBER,
            credential.userId() + ": " + e.reason() + ": " + e.getMessage(),
            e);
      }
    };
  }
}
