package org.liaison.crypto.mls;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A channel's {@link Trust}, applied to whole leaves, remembering the leaves it accepted so that
 * checking every member after every commit stays cheap. A leaf is remembered by its full content as
 * Trust sees it: the credential bytes (user, device, attestation chain) and the signature key
 * together, never the key alone, so a leaf that keeps its key but changes its credential is checked
 * again. Shared by one device's successive sessions of one channel (same trust, same policy). When
 * the trust's {@link Trust#revision()} changes (its revocation list grew), everything remembered is
 * forgotten and checked again.
 */
final class TrustedLeaves {
  private static final int MAX_REMEMBERED = 4096;

  private final Trust trust;
  private final Set<ByteBuffer> accepted = ConcurrentHashMap.newKeySet();
  private volatile long revision;

  TrustedLeaves(Trust trust) {
    this.trust = java.util.Objects.requireNonNull(trust, "trust");
    this.revision = trust.revision();
  }

  /** Throws {@code UNTRUSTED_MEMBER} unless the trust accepts (or accepted) this very leaf. */
  void check(byte[] credentialBytes, byte[] signatureKey) {
    ByteBuffer id = digest(credentialBytes, signatureKey);
    long now = trust.revision();
    if (now != revision) {
      accepted.clear();
      revision = now;
    }
    if (accepted.contains(id)) {
      return;
    }
    MemberCredential credential;
    try {
      credential = MemberCredential.decode(credentialBytes);
    } catch (RuntimeException e) {
      // DecodeException for the credential, AttestationException for its chain.
      throw new MlsException(
          MlsException.Reason.UNTRUSTED_MEMBER, "unreadable credential: " + e.getMessage(), e);
    }
    trust.check(credential, signatureKey.clone());
    if (accepted.size() >= MAX_REMEMBERED) {
      accepted.clear();
    }
    if (trust.revision() == now) {
      // not remembered when the trust changed meanwhile: the check may have missed the change
      accepted.add(id);
    }
  }

  private static ByteBuffer digest(byte[] credentialBytes, byte[] signatureKey) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(ByteBuffer.allocate(4).putInt(credentialBytes.length).array());
      sha.update(credentialBytes);
      sha.update(signatureKey);
      return ByteBuffer.wrap(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
