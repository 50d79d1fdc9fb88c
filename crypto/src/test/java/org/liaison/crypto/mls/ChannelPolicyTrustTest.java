package org.liaison.crypto.mls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.liaison.crypto.Ed25519;
import org.liaison.crypto.attestation.AttestationChain;
import org.liaison.crypto.attestation.TierAttestation;
import org.liaison.crypto.mls.MlsException.Reason;

/** A channel created with a policy admits only devices whose attestation meets it. */
class ChannelPolicyTrustTest {
  static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  final Ed25519.KeyPair root = Ed25519.KeyPair.generate();
  final ChannelPolicy policy =
      new ChannelPolicy(2, new TreeSet<>(List.of("civil-society", "youth-work")), 90, false);
  final ChannelGroupId groupId = ChannelGroupId.create(policy);
  final Trust trust = Trust.attestedBy(root.publicKey(), CLOCK, policy);

  DeviceIdentity attested(String userId, int tier, String sector) {
    DeviceIdentity device = DeviceIdentity.generate(userId, "device-" + userId);
    return device.withAttestation(
        AttestationChain.of(
            TierAttestation.issue(
                root,
                TierAttestation.Kind.DEVICE,
                userId,
                device.signaturePublicKey(),
                tier,
                sector,
                "skopje",
                NOW.minus(Duration.ofDays(1)),
                NOW.plus(Duration.ofDays(90)))));
  }

  static MlsException refused(Reason reason, org.junit.jupiter.api.function.Executable action) {
    MlsException e = assertThrows(MlsException.class, action);
    assertEquals(reason, e.reason(), e.getMessage());
    return e;
  }

  @Test
  void theGroupCarriesItsPolicy() {
    ChannelSession channel =
        ChannelSession.create(attested("alice", 2, "youth-work"), groupId.encode(), trust);
    assertEquals(Optional.of(policy), channel.policy());
    assertArrayEquals(groupId.encode(), channel.groupId());
    ChannelSession plain =
        ChannelSession.create(
            DeviceIdentity.generate("alice", "laptop"),
            "channel-0001".getBytes(StandardCharsets.UTF_8),
            Trust.anyone());
    assertEquals(Optional.empty(), plain.policy());
  }

  @Test
  void addingRefusesMembersBelowTheTierOrFromAnotherSector() {
    ChannelSession channel =
        ChannelSession.create(attested("alice", 2, "youth-work"), groupId.encode(), trust);

    MlsException lowTier =
        refused(
            Reason.UNTRUSTED_MEMBER,
            () ->
                channel.add(
                    List.of(
                        ChannelSession.newKeyPackage(attested("bob", 1, "youth-work"))
                            .publicBytes())));
    assertTrue(lowTier.getMessage().contains("below T2"), lowTier.getMessage());

    MlsException sector =
        refused(
            Reason.UNTRUSTED_MEMBER,
            () ->
                channel.add(
                    List.of(
                        ChannelSession.newKeyPackage(attested("carol", 3, "law-enforcement"))
                            .publicBytes())));
    assertTrue(
        sector.getMessage().contains("sector law-enforcement not allowed"), sector.getMessage());

    // Unattested devices stay out as before.
    refused(
        Reason.UNTRUSTED_MEMBER,
        () ->
            channel.add(
                List.of(
                    ChannelSession.newKeyPackage(DeviceIdentity.generate("eve", "x"))
                        .publicBytes())));

    DeviceIdentity dave = attested("dave", 3, "civil-society");
    KeyPackageSecrets daveKp = ChannelSession.newKeyPackage(dave);
    ChannelSession.PendingCommit adding = channel.add(List.of(daveKp.publicBytes()));
    ChannelSession atDave =
        ChannelSession.join(dave, daveKp, adding.welcome().orElseThrow(), trust);
    assertEquals(2, atDave.members().size());
    assertEquals(Optional.of(policy), atDave.policy());
  }

  @Test
  void joiningRefusesAChannelHoldingAMemberThePolicyExcludes() {
    // The creator's client only checks attestations, not the policy (or a server lied to it):
    // a T1 member gets in. A joiner that applies the group's own policy refuses to join.
    Trust attestedOnly = Trust.attestedBy(root.publicKey(), CLOCK);
    ChannelSession lax =
        ChannelSession.create(attested("alice", 2, "youth-work"), groupId.encode(), attestedOnly)
            .add(
                List.of(
                    ChannelSession.newKeyPackage(attested("bob", 1, "youth-work")).publicBytes()))
            .next();
    DeviceIdentity dave = attested("dave", 3, "civil-society");
    KeyPackageSecrets daveKp = ChannelSession.newKeyPackage(dave);
    byte[] welcome = lax.add(List.of(daveKp.publicBytes())).welcome().orElseThrow();
    MlsException e =
        refused(Reason.UNTRUSTED_MEMBER, () -> ChannelSession.join(dave, daveKp, welcome, trust));
    assertTrue(e.getMessage().contains("below T2"), e.getMessage());

    // And a member that applies the policy refuses a commit that brings such a member in.
    DeviceIdentity alice = attested("alice", 2, "youth-work");
    KeyPackageSecrets daveKp2 = ChannelSession.newKeyPackage(dave);
    ChannelSession.PendingCommit toDave =
        ChannelSession.create(alice, groupId.encode(), attestedOnly)
            .add(List.of(daveKp2.publicBytes()));
    ChannelSession atDave =
        ChannelSession.join(dave, daveKp2, toDave.welcome().orElseThrow(), trust);
    ChannelSession.PendingCommit addsCarol =
        toDave
            .next()
            .add(
                List.of(
                    ChannelSession.newKeyPackage(attested("carol", 3, "law-enforcement"))
                        .publicBytes()));
    MlsException sector =
        refused(Reason.UNTRUSTED_MEMBER, () -> atDave.handleCommit(addsCarol.commit()));
    assertTrue(
        sector.getMessage().contains("sector law-enforcement not allowed"), sector.getMessage());
  }
}
