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
import org.junit.jupiter.api.Test;
import org.liaison.crypto.Ed25519;
import org.liaison.crypto.attestation.AttestationChain;
import org.liaison.crypto.attestation.TierAttestation;
import org.liaison.crypto.mls.MlsException.Reason;

class ChannelSessionTest {
  static final byte[] CHANNEL = "channel-0001".getBytes(StandardCharsets.UTF_8);
  final DeviceIdentity alice = DeviceIdentity.generate("alice", "laptop");
  final DeviceIdentity bob = DeviceIdentity.generate("bob", "phone");
  final DeviceIdentity carol = DeviceIdentity.generate("carol", "browser");

  static byte[] text(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static void refused(Reason reason, org.junit.jupiter.api.function.Executable action) {
    MlsException e = assertThrows(MlsException.class, action);
    assertEquals(reason, e.reason(), e.getMessage());
  }

  /** Alice creates the channel and adds Bob and Carol; all three at epoch 1. */
  record Three(ChannelSession alice, ChannelSession bob, ChannelSession carol) {}

  Three threeMembers() {
    KeyPackageSecrets bobKp = ChannelSession.newKeyPackage(bob);
    KeyPackageSecrets carolKp = ChannelSession.newKeyPackage(carol);
    ChannelSession created = ChannelSession.create(alice, CHANNEL, Trust.anyone());
    ChannelSession.PendingCommit adding =
        created.add(List.of(bobKp.publicBytes(), carolKp.publicBytes()));
    byte[] welcome = adding.welcome().orElseThrow();
    return new Three(
        adding.next(),
        ChannelSession.join(bob, bobKp, welcome, Trust.anyone()),
        ChannelSession.join(carol, carolKp, welcome, Trust.anyone()));
  }

  @Test
  void membersJoinFromAWelcomeAndAgreeOnTheEpoch() {
    Three c = threeMembers();
    assertEquals(1, c.alice().epoch());
    assertEquals(1, c.bob().epoch());
    assertArrayEquals(c.alice().epochAuthenticator(), c.bob().epochAuthenticator());
    assertArrayEquals(c.alice().epochAuthenticator(), c.carol().epochAuthenticator());
    assertArrayEquals(
        c.alice().exportSecret("liaison/v1/document", text("doc-1"), 32),
        c.carol().exportSecret("liaison/v1/document", text("doc-1"), 32));
    assertEquals(
        List.of("alice", "bob", "carol"),
        c.bob().members().stream().map(ChannelSession.Member::userId).toList());
    assertEquals("bob", c.bob().self().userId());
  }

  @Test
  void messagesAreReadByEveryOtherMemberWithTheirTrueSender() {
    Three c = threeMembers();
    byte[] fromAlice = c.alice().protect(text("seq:1"), text("Meeting at the youth centre, 10:00"));
    ChannelSession.Received atBob = c.bob().unprotect(fromAlice);
    assertEquals("alice", atBob.sender().userId());
    assertEquals("laptop", atBob.sender().deviceId());
    assertArrayEquals(text("seq:1"), atBob.authenticatedData());
    assertArrayEquals(text("Meeting at the youth centre, 10:00"), atBob.plaintext());

    byte[] fromBob = c.bob().protect(new byte[0], text("On my way"));
    assertEquals("bob", c.alice().unprotect(fromBob).sender().userId());
    assertEquals("bob", c.carol().unprotect(fromBob).sender().userId());
  }

  @Test
  void aReplayedOrTamperedMessageIsRefused() {
    Three c = threeMembers();
    byte[] message = c.alice().protect(new byte[0], text("once"));
    c.bob().unprotect(message);
    refused(Reason.REJECTED, () -> c.bob().unprotect(message));

    byte[] tampered = c.alice().protect(new byte[0], text("original")).clone();
    tampered[tampered.length - 5] ^= 1;
    refused(Reason.REJECTED, () -> c.carol().unprotect(tampered));
  }

  @Test
  void aRemovedMemberCannotReadWhatFollows() {
    Three c = threeMembers();
    ChannelSession.PendingCommit removal = c.alice().remove(m -> m.userId().equals("carol"));
    ChannelSession alice2 = removal.next();
    ChannelSession bob2 = c.bob().handleCommit(removal.commit());
    assertEquals(2, alice2.epoch());
    assertEquals(
        List.of("alice", "bob"),
        bob2.members().stream().map(ChannelSession.Member::userId).toList());

    byte[] after = alice2.protect(new byte[0], text("Carol must not read this"));
    assertArrayEquals(text("Carol must not read this"), bob2.unprotect(after).plaintext());
    refused(Reason.WRONG_EPOCH, () -> c.carol().unprotect(after));
    assertThrows(MlsException.class, () -> c.carol().handleCommit(removal.commit()));
  }

  /** A known bcmls 1.84 limit (docs/crypto.md): refused with its own reason, not a crash. */
  @Test
  void removingTheLastOtherMemberIsRefusedClearly() {
    KeyPackageSecrets bobKp = ChannelSession.newKeyPackage(bob);
    ChannelSession pair =
        ChannelSession.create(alice, CHANNEL, Trust.anyone())
            .add(List.of(bobKp.publicBytes()))
            .next();
    refused(Reason.LAST_MEMBER, () -> pair.remove(m -> m.userId().equals("bob")));
  }

  @Test
  void aDeviceThatLostItsStateResyncsFromTheGroupInfo() {
    Three c = threeMembers();
    byte[] groupInfo = c.alice().groupInfo(); // what the delivery service keeps
    // Bob's phone restarts: same device and key, no group state.
    ChannelSession.PendingCommit resync = ChannelSession.resync(bob, groupInfo, Trust.anyone());
    ChannelSession alice2 = c.alice().handleCommit(resync.commit());
    ChannelSession carol2 = c.carol().handleCommit(resync.commit());
    ChannelSession bob2 = resync.next();
    assertEquals(2, bob2.epoch());
    assertArrayEquals(alice2.epochAuthenticator(), bob2.epochAuthenticator());
    assertEquals(
        List.of("alice", "bob", "carol"),
        alice2.members().stream().map(ChannelSession.Member::userId).sorted().toList(),
        "the old leaf was replaced, not duplicated");
    assertEquals(
        "bob", carol2.unprotect(bob2.protect(new byte[0], text("back"))).sender().userId());
    assertArrayEquals(
        text("welcome back"),
        bob2.unprotect(alice2.protect(new byte[0], text("welcome back"))).plaintext());
    refused(
        Reason.MALFORMED,
        () -> ChannelSession.resync(bob, text("not a group info"), Trust.anyone()));
  }

  @Test
  void theKeyDirectoryCanInspectAndRefuseKeyPackages() {
    byte[] good = ChannelSession.newKeyPackage(bob).publicBytes();
    ChannelSession.KeyPackageInfo info = ChannelSession.inspectKeyPackage(good);
    assertEquals(ChannelSession.DEFAULT_SUITE, info.cipherSuite());
    assertEquals("bob", info.credential().userId());
    assertEquals("phone", info.credential().deviceId());
    assertArrayEquals(bob.signaturePublicKey(), info.signatureKey());
    byte[] forged = good.clone();
    forged[forged.length - 1] ^= 1; // inside the signature
    refused(Reason.REJECTED, () -> ChannelSession.inspectKeyPackage(forged));
    refused(Reason.MALFORMED, () -> ChannelSession.inspectKeyPackage(new byte[] {0, 1, 0, 5}));
  }

  @Test
  void channelsAreNotTiedToTheDefaultSuite() {
    short chacha =
        org.bouncycastle.mls.crypto.MlsCipherSuite
            .MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519;
    KeyPackageSecrets bobKp = ChannelSession.newKeyPackage(bob, chacha);
    ChannelSession.PendingCommit adding =
        ChannelSession.create(alice, CHANNEL, Trust.anyone(), chacha)
            .add(List.of(bobKp.publicBytes()));
    ChannelSession atBob =
        ChannelSession.join(bob, bobKp, adding.welcome().orElseThrow(), Trust.anyone());
    assertArrayEquals(
        text("over ChaCha20-Poly1305"),
        atBob
            .unprotect(adding.next().protect(new byte[0], text("over ChaCha20-Poly1305")))
            .plaintext());
  }

  @Test
  void aSelfUpdateMovesEveryoneToANewEpoch() {
    Three c = threeMembers();
    byte[] before = c.alice().exportSecret("x", new byte[0], 32);
    ChannelSession.PendingCommit update = c.bob().update();
    ChannelSession alice2 = c.alice().handleCommit(update.commit());
    ChannelSession carol2 = c.carol().handleCommit(update.commit());
    ChannelSession bob2 = update.next();
    assertEquals(2, bob2.epoch());
    assertArrayEquals(bob2.epochAuthenticator(), carol2.epochAuthenticator());
    assertTrue(!java.util.Arrays.equals(before, alice2.exportSecret("x", new byte[0], 32)));
    assertEquals(
        "bob", carol2.unprotect(bob2.protect(new byte[0], text("rotated"))).sender().userId());
  }

  @Test
  void aCommitForAnOldEpochIsRefused() {
    Three c = threeMembers();
    ChannelSession.PendingCommit first = c.bob().update();
    ChannelSession alice2 = c.alice().handleCommit(first.commit());
    refused(Reason.WRONG_EPOCH, () -> alice2.handleCommit(first.commit()));
  }

  @Test
  void aCommitFromSomeoneOutsideTheChannelIsRefused() {
    Three c = threeMembers();
    DeviceIdentity mallory = DeviceIdentity.generate("mallory", "x");
    // Mallory builds a look-alike group with the same id and advances it to the same epoch.
    ChannelSession fake = ChannelSession.create(mallory, CHANNEL, Trust.anyone());
    ChannelSession.PendingCommit toEpochOne =
        fake.add(
            List.of(
                ChannelSession.newKeyPackage(DeviceIdentity.generate("m2", "y")).publicBytes()));
    ChannelSession.PendingCommit forged = toEpochOne.next().update();
    refused(Reason.REJECTED, () -> c.alice().handleCommit(forged.commit()));
  }

  @Test
  void aWelcomeForSomeoneElseCannotBeUsed() {
    KeyPackageSecrets bobKp = ChannelSession.newKeyPackage(bob);
    ChannelSession.PendingCommit adding =
        ChannelSession.create(alice, CHANNEL, Trust.anyone()).add(List.of(bobKp.publicBytes()));
    KeyPackageSecrets carolKp = ChannelSession.newKeyPackage(carol);
    refused(
        Reason.NOT_FOR_US,
        () -> ChannelSession.join(carol, carolKp, adding.welcome().orElseThrow(), Trust.anyone()));
  }

  @Test
  void garbageAndApplicationMessagesInTheWrongPlaceAreRefused() {
    Three c = threeMembers();
    refused(Reason.MALFORMED, () -> c.alice().handleCommit(new byte[] {0, 1, 0, 1, 7}));
    refused(Reason.MALFORMED, () -> c.alice().unprotect(new byte[2 << 20]));
    byte[] application = c.alice().protect(new byte[0], text("hi"));
    refused(Reason.NOT_A_COMMIT, () -> c.bob().handleCommit(application));
    refused(
        Reason.NOT_AN_APPLICATION_MESSAGE, () -> c.bob().unprotect(c.alice().update().commit()));
    refused(Reason.NO_SUCH_MEMBER, () -> c.alice().remove(m -> m.userId().equals("nobody")));
  }

  @Test
  void withAttestationsOnlyVettedDevicesGetIn() {
    Ed25519.KeyPair root = Ed25519.KeyPair.generate();
    Instant now = Instant.parse("2026-11-22T12:00:00Z");
    Trust vetted = Trust.attestedBy(root.publicKey(), Clock.fixed(now, ZoneOffset.UTC));
    DeviceIdentity attestedAlice = attest(root, DeviceIdentity.generate("alice", "laptop"), now);
    DeviceIdentity attestedBob = attest(root, DeviceIdentity.generate("bob", "phone"), now);

    ChannelSession channel = ChannelSession.create(attestedAlice, CHANNEL, vetted);
    refused(
        Reason.UNTRUSTED_MEMBER,
        () -> channel.add(List.of(ChannelSession.newKeyPackage(carol).publicBytes())));

    // A device presenting someone else's attestation (bound to another key) is refused too.
    DeviceIdentity impostor =
        DeviceIdentity.generate("bob", "stolen")
            .withAttestation(attestedBob.credential().chain().orElseThrow());
    refused(
        Reason.UNTRUSTED_MEMBER,
        () -> channel.add(List.of(ChannelSession.newKeyPackage(impostor).publicBytes())));

    KeyPackageSecrets bobKp = ChannelSession.newKeyPackage(attestedBob);
    ChannelSession.PendingCommit adding = channel.add(List.of(bobKp.publicBytes()));
    ChannelSession atBob =
        ChannelSession.join(attestedBob, bobKp, adding.welcome().orElseThrow(), vetted);
    assertEquals(2, atBob.members().size());

    // Joining a channel that already holds an unvetted member is refused by the joiner.
    ChannelSession lax = ChannelSession.create(alice, CHANNEL, Trust.anyone());
    KeyPackageSecrets bobKp2 = ChannelSession.newKeyPackage(attestedBob);
    byte[] welcome = lax.add(List.of(bobKp2.publicBytes())).welcome().orElseThrow();
    refused(
        Reason.UNTRUSTED_MEMBER, () -> ChannelSession.join(attestedBob, bobKp2, welcome, vetted));
  }

  static DeviceIdentity attest(Ed25519.KeyPair root, DeviceIdentity device, Instant now) {
    TierAttestation link =
        TierAttestation.issue(
            root,
            TierAttestation.Kind.DEVICE,
            device.userId(),
            device.signaturePublicKey(),
            2,
            "youth-work",
            "skopje",
            now.minus(Duration.ofDays(1)),
            now.plus(Duration.ofDays(90)));
    return device.withAttestation(AttestationChain.of(link));
  }
}
