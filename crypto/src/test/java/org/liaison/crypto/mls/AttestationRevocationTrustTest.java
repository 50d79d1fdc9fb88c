package org.liaison.crypto.mls;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.liaison.crypto.Ed25519;
import org.liaison.crypto.attestation.AttestationChain;
import org.liaison.crypto.attestation.AttestationRevocations;
import org.liaison.crypto.attestation.TierAttestation;
import org.liaison.crypto.mls.MlsException.Reason;

/**
 * The attestation revocation list in the trust rule, with real bcmls sessions: a member whose
 * device attestation is listed is refused like one with a failed attestation, also when its leaf
 * was accepted (and remembered) before the list grew, until its leaf carries a new attestation.
 */
class AttestationRevocationTrustTest {
  static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  final Ed25519.KeyPair root = Ed25519.KeyPair.generate();
  final ChannelPolicy policy = new ChannelPolicy(1, new TreeSet<>(Set.of()), 30, false);
  final ChannelGroupId groupId = ChannelGroupId.create(policy);

  /** Each device keeps its own list, as each client does; the server's list reaches all alike. */
  final AttestationRevocations atAlice = new AttestationRevocations();

  final AttestationRevocations atCarol = new AttestationRevocations();

  Trust trust(AttestationRevocations revoked) {
    return Trust.attestedBy(root.publicKey(), CLOCK, policy, revoked);
  }

  static TierAttestation deviceAttestation(
      Ed25519.KeyPair root, DeviceIdentity device, int tier, Instant issued) {
    return TierAttestation.issue(
        root,
        TierAttestation.Kind.DEVICE,
        device.userId(),
        device.signaturePublicKey(),
        tier,
        "youth-work",
        "skopje",
        issued,
        NOW.plus(Duration.ofDays(90)));
  }

  DeviceIdentity attested(String userId) {
    DeviceIdentity device = DeviceIdentity.generate(userId, "device-" + userId);
    return device.withAttestation(
        AttestationChain.of(deviceAttestation(root, device, 2, NOW.minus(Duration.ofDays(1)))));
  }

  static String hashOf(DeviceIdentity device) {
    return AttestationRevocations.hash(device.credential().chain().orElseThrow().device());
  }

  static MlsException untrusted(org.junit.jupiter.api.function.Executable action) {
    MlsException e = assertThrows(MlsException.class, action);
    assertEquals(Reason.UNTRUSTED_MEMBER, e.reason(), e.getMessage());
    return e;
  }

  /** alice creates the channel and adds bob and carol; answers everyone's session. */
  record Channel(ChannelSession alice, ChannelSession bob, ChannelSession carol) {}

  Channel channel(DeviceIdentity alice, DeviceIdentity bob, DeviceIdentity carol) {
    KeyPackageSecrets bobKp = ChannelSession.newKeyPackage(bob);
    KeyPackageSecrets carolKp = ChannelSession.newKeyPackage(carol);
    ChannelSession.PendingCommit adding =
        ChannelSession.create(alice, groupId.encode(), trust(atAlice))
            .add(List.of(bobKp.publicBytes(), carolKp.publicBytes()));
    byte[] welcome = adding.welcome().orElseThrow();
    return new Channel(
        adding.next(),
        ChannelSession.join(bob, bobKp, welcome, trust(new AttestationRevocations())),
        ChannelSession.join(carol, carolKp, welcome, trust(atCarol)));
  }

  @Test
  void theHashIsTheSha256OfTheCanonicalEncoding() throws Exception {
    DeviceIdentity bob = attested("bob");
    TierAttestation attestation = bob.credential().chain().orElseThrow().device();
    String expected =
        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(attestation.encode()));
    assertEquals(expected, AttestationRevocations.hash(attestation));
    assertTrue(AttestationRevocations.isHash(expected));
    assertFalse(AttestationRevocations.isHash(expected.toUpperCase()));
    assertFalse(AttestationRevocations.isHash(expected.substring(2)));

    AttestationRevocations list = new AttestationRevocations();
    assertThrows(IllegalArgumentException.class, () -> list.add(List.of(expected, "nonsense")));
    assertEquals(0, list.size(), "nothing added from a list with a malformed entry");
    long before = list.revision();
    assertTrue(list.add(List.of(expected)));
    assertFalse(list.add(List.of(expected)), "the same entry again is no growth");
    assertEquals(before + 1, list.revision());
    assertTrue(list.contains(attestation));
  }

  @Test
  void aMemberAcceptedBeforeTheListGrewIsRefusedWhenCheckedAgain() {
    DeviceIdentity bob = attested("bob");
    Channel channel = channel(attested("alice"), bob, attested("carol"));
    // accepted, and remembered as accepted
    channel.alice().verifyMembers();
    channel.alice().verifyMembers();

    atAlice.add(List.of(hashOf(bob)));
    MlsException e = untrusted(() -> channel.alice().verifyMembers());
    assertTrue(e.getMessage().contains("bob/device-bob"), e.getMessage());
    assertTrue(e.getMessage().contains("revoked"), e.getMessage());
    // a list that does not name him changes nothing
    assertDoesNotThrow(() -> channel.carol().verifyMembers());
  }

  @Test
  void commitsWelcomesAndAddsRefuseARevokedMember() {
    DeviceIdentity bob = attested("bob");
    DeviceIdentity carol = attested("carol");
    DeviceIdentity alice = attested("alice");
    Channel channel = channel(alice, bob, carol);
    atCarol.add(List.of(hashOf(bob)));

    // any commit that leaves bob in is refused by a member that knows of the revocation
    ChannelSession.PendingCommit update = channel.alice().update();
    MlsException commit = untrusted(() -> channel.carol().handleCommit(update.commit()));
    assertTrue(commit.getMessage().contains("bob/device-bob"), commit.getMessage());

    // a joiner that knows of it refuses the Welcome
    DeviceIdentity dave = attested("dave");
    KeyPackageSecrets daveKp = ChannelSession.newKeyPackage(dave);
    byte[] welcome = channel.alice().add(List.of(daveKp.publicBytes())).welcome().orElseThrow();
    AttestationRevocations atDave = new AttestationRevocations();
    atDave.add(List.of(hashOf(bob)));
    untrusted(() -> ChannelSession.join(dave, daveKp, welcome, trust(atDave)));

    // and the revoked device cannot be added again with its old attestation
    atAlice.add(List.of(hashOf(bob)));
    ChannelSession bobless =
        channel.alice().remove(m -> m.userId().equals("bob")).next(); // removing is allowed
    untrusted(() -> bobless.add(List.of(ChannelSession.newKeyPackage(bob).publicBytes())).commit());
  }

  @Test
  void aNewAttestationInTheRevokedMembersLeafClearsIt() {
    DeviceIdentity bob = attested("bob");
    Channel channel = channel(attested("alice"), bob, attested("carol"));
    atCarol.add(List.of(hashOf(bob)));
    untrusted(() -> channel.carol().verifyMembers());

    // bob's coordinator attests the same key again: bob rejoins, his new leaf carries it
    DeviceIdentity bobAgain =
        bob.withAttestation(
            AttestationChain.of(deviceAttestation(root, bob, 2, NOW.minus(Duration.ofHours(1)))));
    ChannelSession.PendingCommit rejoin =
        ChannelSession.resync(
            bobAgain, channel.alice().groupInfo(), trust(new AttestationRevocations()));
    ChannelSession carolNext = channel.carol().handleCommit(rejoin.commit());
    assertDoesNotThrow(carolNext::verifyMembers);
    assertEquals(3, carolNext.members().size());
  }

  @Test
  void anEpochWithoutTheRevokedMemberVerifies() {
    DeviceIdentity bob = attested("bob");
    Channel channel = channel(attested("alice"), bob, attested("carol"));
    atAlice.add(List.of(hashOf(bob)));
    atCarol.add(List.of(hashOf(bob)));
    untrusted(() -> channel.carol().verifyMembers());

    ChannelSession.PendingCommit removal = channel.alice().remove(m -> m.userId().equals("bob"));
    ChannelSession carolAfter = channel.carol().handleCommit(removal.commit());
    assertDoesNotThrow(carolAfter::verifyMembers);
    assertDoesNotThrow(() -> removal.next().verifyMembers());
    assertEquals(2, carolAfter.members().size());
  }
}
