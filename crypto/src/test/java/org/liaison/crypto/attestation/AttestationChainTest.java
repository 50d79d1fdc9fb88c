package org.liaison.crypto.attestation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.liaison.crypto.Ed25519;
import org.liaison.crypto.attestation.AttestationException.Reason;
import org.liaison.crypto.attestation.TierAttestation.Kind;

class AttestationChainTest {
  static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
  static final Instant YEAR = NOW.plus(Duration.ofDays(365));
  final Ed25519.KeyPair root = Ed25519.KeyPair.generate();
  final Ed25519.KeyPair coordinator = Ed25519.KeyPair.generate();
  final Ed25519.KeyPair device = Ed25519.KeyPair.generate();

  TierAttestation coordinatorLink(int tier, String city) {
    return TierAttestation.issue(
        root,
        Kind.COORDINATOR,
        "coord-1",
        coordinator.publicKey(),
        tier,
        "municipality",
        city,
        NOW,
        YEAR);
  }

  TierAttestation deviceLink(
      Ed25519.KeyPair issuer, int tier, String city, Instant from, Instant until) {
    return TierAttestation.issue(
        issuer, Kind.DEVICE, "user-7", device.publicKey(), tier, "youth-work", city, from, until);
  }

  AttestationChain goodChain() {
    return AttestationChain.of(
        coordinatorLink(2, "skopje"), deviceLink(coordinator, 2, "skopje", NOW, YEAR));
  }

  void refused(Reason reason, AttestationChain chain) {
    refused(reason, chain, device.publicKey(), "user-7", NOW.plusSeconds(60));
  }

  void refused(Reason reason, AttestationChain chain, byte[] key, String user, Instant at) {
    AttestationException e =
        assertThrows(
            AttestationException.class, () -> chain.verify(root.publicKey(), key, user, at));
    assertEquals(reason, e.reason(), e.getMessage());
  }

  @Test
  void aChainFromTheRootThroughACoordinatorVerifies() {
    AttestationChain.Verified verified =
        goodChain().verify(root.publicKey(), device.publicKey(), "user-7", NOW.plusSeconds(60));
    assertEquals(
        new AttestationChain.Verified("user-7", 2, "youth-work", "skopje", YEAR), verified);
  }

  @Test
  void theRootMayAttestADeviceDirectly() {
    AttestationChain direct = AttestationChain.of(deviceLink(root, 3, "", NOW, YEAR));
    assertEquals(3, direct.verify(root.publicKey(), device.publicKey(), "user-7", NOW).tier());
  }

  @Test
  void encodingRoundTripsToTheSameBytes() {
    AttestationChain chain = goodChain();
    byte[] encoded = chain.encode();
    AttestationChain decoded = AttestationChain.decode(encoded);
    assertArrayEquals(encoded, decoded.encode());
    decoded.verify(root.publicKey(), device.publicKey(), "user-7", NOW);
  }

  @Test
  void aForgedSignatureIsRefused() {
    byte[] encoded = goodChain().encode();
    encoded[encoded.length - 10] ^= 1; // inside the device attestation's signature
    refused(Reason.BAD_SIGNATURE, AttestationChain.decode(encoded));
  }

  @Test
  void anEditedTierIsRefused() {
    TierAttestation honest = deviceLink(coordinator, 1, "skopje", NOW, YEAR);
    TierAttestation inflated =
        new TierAttestation(
            Kind.DEVICE,
            "user-7",
            device.publicKey(),
            2,
            "youth-work",
            "skopje",
            NOW,
            YEAR,
            coordinator.publicKey(),
            honest.signature());
    refused(Reason.BAD_SIGNATURE, AttestationChain.of(coordinatorLink(2, "skopje"), inflated));
  }

  @Test
  void aSelfMadeCoordinatorIsRefused() {
    TierAttestation selfSigned =
        TierAttestation.issue(
            coordinator,
            Kind.COORDINATOR,
            "coord-1",
            coordinator.publicKey(),
            3,
            "municipality",
            "",
            NOW,
            YEAR);
    refused(
        Reason.NOT_FROM_ROOT,
        AttestationChain.of(selfSigned, deviceLink(coordinator, 3, "x", NOW, YEAR)));
  }

  @Test
  void aDeviceSignedBySomeoneElseBreaksTheChain() {
    Ed25519.KeyPair stranger = Ed25519.KeyPair.generate();
    refused(
        Reason.BROKEN_CHAIN,
        AttestationChain.of(
            coordinatorLink(2, "skopje"), deviceLink(stranger, 2, "skopje", NOW, YEAR)));
  }

  @Test
  void expiredAndNotYetValidAttestationsAreRefused() {
    refused(
        Reason.EXPIRED,
        AttestationChain.of(
            coordinatorLink(2, "skopje"),
            deviceLink(coordinator, 2, "skopje", NOW, NOW.plusSeconds(30))));
    refused(Reason.EXPIRED, goodChain(), device.publicKey(), "user-7", YEAR);
    refused(Reason.NOT_YET_VALID, goodChain(), device.publicKey(), "user-7", NOW.minusSeconds(1));
  }

  @Test
  void anAttestationBoundToAnotherKeyOrUserIsRefused() {
    refused(
        Reason.KEY_MISMATCH, goodChain(), Ed25519.KeyPair.generate().publicKey(), "user-7", NOW);
    refused(Reason.USER_MISMATCH, goodChain(), device.publicKey(), "user-8", NOW);
  }

  @Test
  void aCoordinatorCannotGrantAboveItsTierOrOutsideItsCity() {
    refused(
        Reason.TIER_ABOVE_ISSUER,
        AttestationChain.of(
            coordinatorLink(1, "skopje"), deviceLink(coordinator, 2, "skopje", NOW, YEAR)));
    refused(
        Reason.CITY_OUTSIDE_ISSUER,
        AttestationChain.of(
            coordinatorLink(2, "skopje"), deviceLink(coordinator, 2, "tirana", NOW, YEAR)));
  }

  @Test
  void linksMustBeOfTheRightKind() {
    TierAttestation deviceAsIssuer =
        TierAttestation.issue(
            root, Kind.DEVICE, "coord-1", coordinator.publicKey(), 3, "m", "", NOW, YEAR);
    refused(
        Reason.WRONG_KIND,
        AttestationChain.of(deviceAsIssuer, deviceLink(coordinator, 2, "x", NOW, YEAR)));
  }

  @Test
  void malformedBytesAreRefusedWithoutHugeAllocations() {
    byte[] good = goodChain().encode();
    for (byte[] bad :
        new byte[][] {
          new byte[0],
          java.util.Arrays.copyOf(good, good.length - 1),
          java.util.Arrays.copyOf(good, good.length + 1),
          {2, (byte) 0xFF, (byte) 0xFF, 1, 2, 3},
          {9},
        }) {
      AttestationException e =
          assertThrows(AttestationException.class, () -> AttestationChain.decode(bad));
      assertEquals(Reason.MALFORMED, e.reason());
    }
  }
}
