package org.liaison.crypto.broadcasts;

import static org.liaison.crypto.broadcasts.BroadcastException.Reason;

import java.time.Instant;
import java.util.List;
import org.liaison.crypto.ConstantTime;
import org.liaison.crypto.attestation.AttestationChain;
import org.liaison.crypto.attestation.AttestationException;
import org.liaison.crypto.attestation.AttestationRevocations;
import org.liaison.crypto.attestation.TierAttestation;
import org.liaison.crypto.codec.DecodeException;

/**
 * Why a recipient may believe a coordinator sent a broadcast, even from a hostile server: the
 * author device's attestation chain (root → … → the key that signed the header) and the author's
 * own coordinator attestation from the root, whose city scope must cover the audience. A member's
 * device chain alone proves nothing about authority, so both are required.
 */
public record AuthorProof(AttestationChain chain, TierAttestation coordinator) {

  public static AuthorProof decode(byte[] chain, byte[] coordinator) {
    try {
      return new AuthorProof(AttestationChain.decode(chain), TierAttestation.decode(coordinator));
    } catch (AttestationException | DecodeException | IllegalArgumentException e) {
      throw new BroadcastException(Reason.MALFORMED, "malformed author proof: " + e.getMessage());
    }
  }

  /** The key that must have signed the header: the subject of the device attestation. */
  public byte[] deviceKey() {
    return chain.device().subjectKey();
  }

  /**
   * Checks the device chain for {@code deviceSignatureKey} and the header's author, the coordinator
   * attestation (root-issued, kind coordinator, same user, valid when sent and now) and that its
   * scope covers the audience: an empty city may address anyone, city C only exactly [C].
   */
  public AttestationChain.Verified verify(
      byte[] rootKey, BroadcastHeader header, byte[] deviceSignatureKey, Instant now) {
    AttestationChain.Verified author;
    try {
      author = chain.verify(rootKey, deviceSignatureKey, header.authorUserId(), now);
    } catch (AttestationException e) {
      throw new BroadcastException(
          Reason.NOT_FROM_AUTHOR, "the author's device is not vouched for: " + e.getMessage());
    }
    if (coordinator.kind() != TierAttestation.Kind.COORDINATOR
        || !ConstantTime.equal(coordinator.issuerKey(), rootKey)
        || !coordinator.signatureValid()
        || !coordinator.userId().equals(header.authorUserId())) {
      throw new BroadcastException(
          Reason.AUTHOR_NOT_COORDINATOR,
          "the author holds no coordinator attestation from the root");
    }
    Instant sent = Instant.ofEpochMilli(header.createdAtMillis());
    if (!validAt(coordinator, sent) || !validAt(coordinator, now)) {
      throw new BroadcastException(
          Reason.AUTHOR_NOT_COORDINATOR, "the author's coordinator attestation is not valid");
    }
    if (!coordinator.cityId().isEmpty() && !header.cities().equals(List.of(coordinator.cityId()))) {
      throw new BroadcastException(
          Reason.SCOPE, "a city coordinator may only address their own city");
    }
    return author;
  }

  /** {@link #verify} plus the header signature under the chain's own device key. */
  public AttestationChain.Verified verifySigned(
      byte[] rootKey, byte[] headerBytes, byte[] signature, Instant now) {
    BroadcastHeader header = BroadcastHeader.decode(headerBytes);
    if (!BroadcastHeader.verify(deviceKey(), headerBytes, signature)) {
      throw new BroadcastException(Reason.BAD_SIGNATURE, "the header signature does not verify");
    }
    return verify(rootKey, header, deviceKey(), now);
  }

  /** Refuses a proof with either attestation on the network's revocation list. */
  public void requireNotRevoked(AttestationRevocations revocations) {
    if (revocations.revokes(chain) || revocations.contains(coordinator)) {
      throw new BroadcastException(Reason.REVOKED, "the author's attestation was revoked");
    }
  }

  private static boolean validAt(TierAttestation attestation, Instant when) {
    return !when.isBefore(attestation.issuedAt()) && when.isBefore(attestation.expiresAt());
  }
}
