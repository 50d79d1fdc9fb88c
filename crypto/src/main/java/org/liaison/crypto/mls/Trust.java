package org.liaison.crypto.mls;

import java.time.Clock;
import org.liaison.crypto.attestation.AttestationChain;
import org.liaison.crypto.attestation.AttestationException;
import org.liaison.crypto.attestation.AttestationRevocations;

/**
 * Decides whether a leaf may be in a channel: applied to every key package before it is added, to
 * every member when joining (Welcome or resync), and to every member of the epoch a received commit
 * opens (a leaf it accepted before, byte for byte the same credential and key, is not re-verified:
 * {@code TrustedLeaves}). A compromised server can order and drop messages, but cannot make a
 * client accept a member this rejects.
 */
@FunctionalInterface
public interface Trust {
  /** Throws {@link MlsException} with {@code UNTRUSTED_MEMBER} if the leaf is not acceptable. */
  void check(MemberCredential credential, byte[] signatureKey);

  /**
   * Changes whenever this trust may refuse a leaf it accepted before (a revocation list that grew),
   * so that what was remembered as accepted is checked again. Constant for most trusts.
   */
  default long revision() {
    return 0;
  }

  /** Accepts any well-formed credential; for tests and tools only. */
  static Trust anyone() {
    return (credential, key) -> {};
  }

  /** Requires an attestation chain from the network root that binds this very signature key. */
  static Trust attestedBy(byte[] rootKey, Clock clock) {
    byte[] root = rootKey.clone();
    return (credential, key) -> verified(root, clock, credential, key);
  }

  /**
   * As {@link #attestedBy(byte[], Clock)}, and the attested tier and sector must meet the channel's
   * policy (use the policy the group itself carries: {@link ChannelSession#policy()}).
   */
  static Trust attestedBy(byte[] rootKey, Clock clock, ChannelPolicy policy) {
    byte[] root = rootKey.clone();
    java.util.Objects.requireNonNull(policy, "policy");
    return (credential, key) -> {
      AttestationChain.Verified attested = verified(root, clock, credential, key);
      if (attested.tier() < policy.minTier()) {
        throw new MlsException(
            MlsException.Reason.UNTRUSTED_MEMBER,
            credential.userId() + ": T" + attested.tier() + " is below T" + policy.minTier());
      }
      if (!policy.admits(attested.tier(), attested.sector())) {
        throw new MlsException(
            MlsException.Reason.UNTRUSTED_MEMBER,
            credential.userId() + ": sector " + attested.sector() + " not allowed");
      }
    };
  }

  /**
   * As {@link #attestedBy(byte[], Clock, ChannelPolicy)}, and the device attestation (the chain's
   * last link) must not be on the network's revocation list: a listed one is refused as a failed
   * attestation is ({@code UNTRUSTED_MEMBER}, naming the user and device). When the list grows,
   * {@link #revision()} changes and every leaf is checked again.
   */
  static Trust attestedBy(
      byte[] rootKey, Clock clock, ChannelPolicy policy, AttestationRevocations revoked) {
    Trust attested = attestedBy(rootKey, clock, policy);
    java.util.Objects.requireNonNull(revoked, "revoked");
    return new Trust() {
      @Override
      public void check(MemberCredential credential, byte[] signatureKey) {
        attested.check(credential, signatureKey);
        // attested: the chain is there
        if (revoked.revokes(credential.chain().orElseThrow())) {
          throw new MlsException(
              MlsException.Reason.UNTRUSTED_MEMBER,
              credential.userId()
                  + "/"
                  + credential.deviceId()
                  + ": attestation revoked by the network");
        }
      }

      @Override
      public long revision() {
        return revoked.revision();
      }
    };
  }

  private static AttestationChain.Verified verified(
      byte[] root, Clock clock, MemberCredential credential, byte[] key) {
    if (credential.chain().isEmpty()) {
      throw new MlsException(
          MlsException.Reason.UNTRUSTED_MEMBER, credential.userId() + " has no tier attestation");
    }
    try {
      return credential.chain().get().verify(root, key, credential.userId(), clock.instant());
    } catch (AttestationException e) {
      throw new MlsException(
          MlsException.Reason.UNTRUSTED_MEMBER,
          credential.userId() + ": " + e.reason() + ": " + e.getMessage(),
          e);
    }
  }
}
