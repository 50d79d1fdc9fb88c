package org.liaison.crypto.attestation;

import static org.liaison.crypto.attestation.AttestationException.Reason;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.liaison.crypto.ConstantTime;
import org.liaison.crypto.codec.CanonicalReader;
import org.liaison.crypto.codec.CanonicalWriter;
import org.liaison.crypto.codec.DecodeException;

/**
 * The attestations that vouch for a device key, device last: either root → device, or root →
 * coordinator → device. Every member verifies this for every joiner against the network root key
 * configured in its client, so the server cannot vouch for anyone.
 */
public record AttestationChain(List<TierAttestation> links) {
  private static final int MAX_LINKS = 2;
  private static final int MAX_LINK_BYTES = 1024;

  public AttestationChain {
    links = List.copyOf(links);
    if (links.isEmpty() || links.size() > MAX_LINKS) {
      throw new IllegalArgumentException("a chain has one or two attestations");
    }
  }

  public static AttestationChain of(TierAttestation... links) {
    return new AttestationChain(List.of(links));
  }

  public TierAttestation device() {
    return links.get(links.size() - 1);
  }

  /** What a verified chain establishes about the device's owner. */
  public record Verified(
      String userId, int tier, String sector, String cityId, Instant expiresAt) {}

  /**
   * Checks every signature, the chain's links, validity times, and that the device attestation is
   * for {@code credentialKey} (the key that signs in MLS) and {@code userId}.
   */
  public Verified verify(byte[] rootKey, byte[] credentialKey, String userId, Instant now) {
    byte[] expectedIssuer = rootKey;
    TierAttestation issuer = null;
    for (int i = 0; i < links.size(); i++) {
      TierAttestation link = links.get(i);
      boolean last = i == links.size() - 1;
      if (!ConstantTime.equal(link.issuerKey(), expectedIssuer)) {
        throw new AttestationException(
            i == 0 ? Reason.NOT_FROM_ROOT : Reason.BROKEN_CHAIN,
            i == 0 ? "not issued by the network root" : "not issued by the coordinator before it");
      }
      if (!link.signatureValid()) {
        throw new AttestationException(Reason.BAD_SIGNATURE, "signature does not verify");
      }
      if (link.kind() != (last ? TierAttestation.Kind.DEVICE : TierAttestation.Kind.COORDINATOR)) {
        throw new AttestationException(
            Reason.WRONG_KIND, "a " + link.kind() + " attestation out of place");
      }
      if (now.isBefore(link.issuedAt())) {
        throw new AttestationException(Reason.NOT_YET_VALID, "attestation not valid yet");
      }
      if (!now.isBefore(link.expiresAt())) {
        throw new AttestationException(Reason.EXPIRED, "attestation expired " + link.expiresAt());
      }
      if (issuer != null) {
        if (link.tier() > issuer.tier()) {
          throw new AttestationException(
              Reason.TIER_ABOVE_ISSUER,
              "T" + link.tier() + " granted by a T" + issuer.tier() + " coordinator");
        }
        if (!issuer.cityId().isEmpty() && !issuer.cityId().equals(link.cityId())) {
          throw new AttestationException(
              Reason.CITY_OUTSIDE_ISSUER, "a coordinator attested a device outside its city");
        }
      }
      issuer = link;
      expectedIssuer = link.subjectKey();
    }
    TierAttestation device = device();
    if (!ConstantTime.equal(device.subjectKey(), credentialKey)) {
      throw new AttestationException(Reason.KEY_MISMATCH, "attestation is for another key");
    }
    if (!device.userId().equals(userId)) {
      throw new AttestationException(Reason.USER_MISMATCH, "attestation is for another user");
    }
    return new Verified(
        device.userId(), device.tier(), device.sector(), device.cityId(), device.expiresAt());
  }

  public byte[] encode() {
    CanonicalWriter out = new CanonicalWriter().u8(links.size());
    links.forEach(link -> out.opaque16(link.encode()));
    return out.toByteArray();
  }

  public static AttestationChain decode(byte[] bytes) {
    try {
      CanonicalReader in = new CanonicalReader(bytes);
      int count = in.u8("chain length");
      if (count < 1 || count > MAX_LINKS) {
        throw new DecodeException("chain of " + count + " attestations");
      }
      List<TierAttestation> links = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        links.add(TierAttestation.decode(in.opaque16("attestation", MAX_LINK_BYTES)));
      }
      in.end();
      return new AttestationChain(links);
    } catch (DecodeException | IllegalArgumentException e) {
      throw new AttestationException(
          Reason.MALFORMED, "malformed attestation chain: " + e.getMessage());
    }
  }
}
