package org.liaison.crypto.mls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.bouncycastle.mls.TreeKEM.LeafIndex;
import org.bouncycastle.mls.codec.Commit;
import org.bouncycastle.mls.codec.FramedContent;
import org.bouncycastle.mls.codec.MLSOutputStream;
import org.bouncycastle.mls.codec.PreSharedKeyID;
import org.bouncycastle.mls.codec.Proposal;
import org.bouncycastle.mls.codec.ProposalOrRef;
import org.bouncycastle.mls.codec.ProtocolVersion;
import org.bouncycastle.mls.codec.Sender;
import org.bouncycastle.mls.crypto.MlsCipherSuite;
import org.junit.jupiter.api.Test;
import org.liaison.crypto.Ed25519;
import org.liaison.crypto.attestation.AttestationChain;
import org.liaison.crypto.attestation.TierAttestation;
import org.liaison.crypto.mls.HandshakeInspector.InspectedCommit;
import org.liaison.crypto.mls.HandshakeInspector.SenderKind;
import org.liaison.crypto.mls.MlsException.Reason;

/** What the delivery service reads from real bcmls handshake messages, and what it refuses. */
class HandshakeInspectorTest {
  static final Instant NOW = Instant.now();
  final Ed25519.KeyPair root = Ed25519.KeyPair.generate();
  final ChannelGroupId groupId =
      ChannelGroupId.create(new ChannelPolicy(1, new TreeSet<>(List.of("youth-work")), 30, false));
  final DeviceIdentity alice = attested(DeviceIdentity.generate("alice", "laptop"));
  final DeviceIdentity bob = attested(DeviceIdentity.generate("bob", "phone"));
  final DeviceIdentity carol = attested(DeviceIdentity.generate("carol", "browser"));

  DeviceIdentity attested(DeviceIdentity device) {
    return device.withAttestation(
        AttestationChain.of(
            TierAttestation.issue(
                root,
                TierAttestation.Kind.DEVICE,
                device.userId(),
                device.signaturePublicKey(),
                2,
                "youth-work",
                "skopje",
                NOW.minus(Duration.ofDays(1)),
                NOW.plus(Duration.ofDays(30)))));
  }

  static MlsException refused(Reason reason, org.junit.jupiter.api.function.Executable action) {
    MlsException e = assertThrows(MlsException.class, action);
    assertEquals(reason, e.reason(), e.getMessage());
    return e;
  }

  static void sameCredential(DeviceIdentity device, MemberCredential credential) {
    assertEquals(device.userId(), credential.userId());
    assertEquals(device.deviceId(), credential.deviceId());
    assertArrayEquals(device.credential().encode(), credential.encode(), "attestation chain too");
  }

  record Setup(
      KeyPackageSecrets bobKp,
      KeyPackageSecrets carolKp,
      ChannelSession.PendingCommit adding,
      ChannelSession alice,
      ChannelSession bob,
      ChannelSession carol) {}

  Setup threeMembers() {
    Trust trust = Trust.anyone();
    KeyPackageSecrets bobKp = ChannelSession.newKeyPackage(bob);
    KeyPackageSecrets carolKp = ChannelSession.newKeyPackage(carol);
    ChannelSession.PendingCommit adding =
        ChannelSession.create(alice, groupId.encode(), trust)
            .add(List.of(bobKp.publicBytes(), carolKp.publicBytes()));
    byte[] welcome = adding.welcome().orElseThrow();
    return new Setup(
        bobKp,
        carolKp,
        adding,
        adding.next(),
        ChannelSession.join(bob, bobKp, welcome, trust),
        ChannelSession.join(carol, carolKp, welcome, trust));
  }

  @Test
  void anAddCommitListsTheUploadedKeyPackagesAndTheirCredentials() {
    Setup s = threeMembers();
    InspectedCommit commit = HandshakeInspector.commit(s.adding().commit());
    assertArrayEquals(groupId.encode(), commit.groupId());
    assertEquals(0, commit.epoch());
    assertEquals(SenderKind.MEMBER, commit.senderKind());
    assertEquals(0, commit.senderLeaf());
    assertEquals(2, commit.adds().size());
    // Byte for byte what the devices uploaded: the key directory finds them by their hash.
    assertArrayEquals(s.bobKp().publicBytes(), commit.adds().get(0).keyPackage());
    assertArrayEquals(s.carolKp().publicBytes(), commit.adds().get(1).keyPackage());
    sameCredential(bob, commit.adds().get(0).credential());
    sameCredential(carol, commit.adds().get(1).credential());
    assertArrayEquals(bob.signaturePublicKey(), commit.adds().get(0).signatureKey());
    assertArrayEquals(carol.signaturePublicKey(), commit.adds().get(1).signatureKey());
    assertEquals(List.of(), commit.removedLeaves());
    assertEquals(0, commit.updates());
    assertFalse(commit.externalInit());
    assertEquals(List.of(), commit.otherProposals());
    assertFalse(commit.hasProposalReferences());
    sameCredential(alice, commit.pathCredential().orElseThrow());
    assertArrayEquals(alice.signaturePublicKey(), commit.pathSignatureKey().orElseThrow());
    // The inspected key package is also what the key directory's own inspection accepts.
    assertEquals(
        "bob",
        ChannelSession.inspectKeyPackage(commit.adds().get(0).keyPackage()).credential().userId());
  }

  @Test
  void aRemoveCommitListsTheRemovedLeaf() {
    Setup s = threeMembers();
    ChannelSession.PendingCommit removal = s.alice().remove(m -> m.userId().equals("carol"));
    InspectedCommit commit = HandshakeInspector.commit(removal.commit());
    assertEquals(1, commit.epoch());
    assertEquals(SenderKind.MEMBER, commit.senderKind());
    assertEquals(0, commit.senderLeaf());
    assertEquals(List.of(2), commit.removedLeaves());
    assertEquals(List.of(), commit.adds());
    assertFalse(commit.externalInit());
    // The commit is real: Bob applies it.
    assertEquals(2, s.bob().handleCommit(removal.commit()).members().size());
  }

  @Test
  void aSelfUpdateNamesItsSenderAndChangesNoMembership() {
    Setup s = threeMembers();
    ChannelSession.PendingCommit update = s.bob().update();
    InspectedCommit commit = HandshakeInspector.commit(update.commit());
    assertEquals(1, commit.epoch());
    assertEquals(SenderKind.MEMBER, commit.senderKind());
    assertEquals(1, commit.senderLeaf());
    assertEquals(List.of(), commit.adds());
    assertEquals(List.of(), commit.removedLeaves());
    assertEquals(0, commit.updates());
    assertEquals(List.of(), commit.otherProposals());
    sameCredential(bob, commit.pathCredential().orElseThrow());
    assertArrayEquals(bob.signaturePublicKey(), commit.pathSignatureKey().orElseThrow());
  }

  @Test
  void aResyncIsAnExternalCommitThatRemovesTheDevicesOldLeaf() {
    Setup s = threeMembers();
    byte[] groupInfo = s.alice().groupInfo();
    ChannelSession.PendingCommit resync = ChannelSession.resync(bob, groupInfo, Trust.anyone());
    InspectedCommit commit = HandshakeInspector.commit(resync.commit());
    assertArrayEquals(groupId.encode(), commit.groupId());
    assertEquals(1, commit.epoch());
    assertEquals(SenderKind.NEW_MEMBER_COMMIT, commit.senderKind());
    assertEquals(-1, commit.senderLeaf());
    assertTrue(commit.externalInit());
    assertEquals(List.of(1), commit.removedLeaves(), "Bob's previous leaf");
    assertEquals(List.of(), commit.adds());
    sameCredential(bob, commit.pathCredential().orElseThrow());
    assertArrayEquals(bob.signaturePublicKey(), commit.pathSignatureKey().orElseThrow());
  }

  @Test
  void applicationMessagesAreNotCommitsButReadAsApplicationMessages() {
    Setup s = threeMembers();
    byte[] message = s.alice().protect(new byte[0], "hello".getBytes(StandardCharsets.UTF_8));
    refused(Reason.NOT_A_COMMIT, () -> HandshakeInspector.commit(message));
    HandshakeInspector.InspectedApplication read = HandshakeInspector.application(message);
    assertArrayEquals(groupId.encode(), read.groupId());
    assertEquals(1, read.epoch());
    refused(
        Reason.NOT_AN_APPLICATION_MESSAGE,
        () -> HandshakeInspector.application(s.bob().update().commit()));
    // Inspection leaves the message intact for its recipients.
    assertEquals("alice", s.bob().unprotect(message).sender().userId());
  }

  @Test
  void theGroupInfoReadsBackItsGroupAndEpoch() {
    Setup s = threeMembers();
    HandshakeInspector.InspectedGroupInfo info =
        HandshakeInspector.groupInfo(s.alice().groupInfo());
    assertArrayEquals(groupId.encode(), info.groupId());
    assertEquals(1, info.epoch());
    assertEquals(groupId, ChannelGroupId.decode(info.groupId()));
    ChannelSession.PendingCommit update = s.carol().update();
    assertEquals(2, HandshakeInspector.groupInfo(update.next().groupInfo()).epoch());
    refused(Reason.MALFORMED, () -> HandshakeInspector.groupInfo(update.commit()));
  }

  @Test
  void aGroupInfoIsVerifiedUnderItsSignersLeafAndNamesThatLeaf() {
    Setup s = threeMembers();
    HandshakeInspector.InspectedGroupInfo info =
        HandshakeInspector.groupInfo(s.alice().groupInfo());
    assertEquals(0, info.signerLeaf());
    sameCredential(alice, info.signerCredential());
    assertArrayEquals(alice.signaturePublicKey(), info.signerKey());
    // Carol's update: her GroupInfo of epoch 2 is signed by her leaf, with her new leaf node.
    ChannelSession.PendingCommit update = s.carol().update();
    HandshakeInspector.InspectedGroupInfo carols =
        HandshakeInspector.groupInfo(update.next().groupInfo());
    assertEquals(2, carols.signerLeaf());
    sameCredential(carol, carols.signerCredential());
    assertArrayEquals(
        carols.signerKey(), HandshakeInspector.commit(update.commit()).pathSignatureKey().get());

    // One flipped signature byte (the last one), or a signer index moved to another leaf.
    byte[] flipped = s.alice().groupInfo();
    flipped[flipped.length - 1] ^= 1;
    refused(Reason.INVALID_GROUP_INFO, () -> HandshakeInspector.groupInfo(flipped));
    byte[] moved = s.alice().groupInfo();
    moved[moved.length - 67] = 1; // uint32 signer, just before the signature (varint 64 = 0x4040)
    refused(Reason.INVALID_GROUP_INFO, () -> HandshakeInspector.groupInfo(moved));
    moved[moved.length - 67] = 9; // not a leaf of the tree at all
    refused(Reason.INVALID_GROUP_INFO, () -> HandshakeInspector.groupInfo(moved));
  }

  @Test
  void aWelcomeIsRecognised() {
    Setup s = threeMembers();
    HandshakeInspector.welcome(s.adding().welcome().orElseThrow());
    refused(Reason.MALFORMED, () -> HandshakeInspector.welcome(s.adding().commit()));
    refused(Reason.MALFORMED, () -> HandshakeInspector.welcome(s.alice().groupInfo()));
  }

  @Test
  void otherProposalTypesAndReferencesAreReported() throws Exception {
    byte[] gid = groupId.encode();
    Commit commit = new Commit();
    commit
        .getProposals()
        .add(
            ProposalOrRef.forProposal(
                Proposal.preSharedKey(PreSharedKeyID.external(new byte[8], new byte[32]))));
    commit
        .getProposals()
        .add(
            ProposalOrRef.forProposal(
                Proposal.reInit(
                    gid,
                    ProtocolVersion.mls10,
                    MlsCipherSuite.getSuite(ChannelSession.DEFAULT_SUITE),
                    new java.util.ArrayList<>())));
    commit
        .getProposals()
        .add(
            ProposalOrRef.forProposal(
                Proposal.groupContextExtensions(new java.util.ArrayList<>())));
    commit.getProposals().add(ProposalOrRef.forRef(new byte[32]));
    commit.getProposals().add(ProposalOrRef.forProposal(Proposal.remove(new LeafIndex(3))));
    byte[] bytes = publicCommit(gid, 5, Sender.forMember(new LeafIndex(1)), commit);

    InspectedCommit read = HandshakeInspector.commit(bytes);
    assertEquals(5, read.epoch());
    assertEquals(1, read.senderLeaf());
    assertEquals(List.of("psk", "reinit", "group_context_extensions"), read.otherProposals());
    assertTrue(read.hasProposalReferences());
    assertEquals(List.of(3), read.removedLeaves());
    assertEquals(Optional.empty(), read.pathCredential());
    assertEquals(Optional.empty(), read.pathSignatureKey());
  }

  /**
   * A PublicMessage commit built field by field (bcmls keeps FramedContentAuthData package-private,
   * so the auth data is appended by hand; its signature and tags are zeros, not real).
   */
  static byte[] publicCommit(byte[] groupId, long epoch, Sender sender, Commit commit)
      throws Exception {
    FramedContent content =
        FramedContent.commit(groupId, epoch, sender, new byte[0], MLSOutputStream.encode(commit));
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.write(new byte[] {0, 1, 0, 1}); // mls10, mls_public_message
    out.write(MLSOutputStream.encode(content));
    out.write(new byte[] {0x40, 64}); // signature<V>, 64 bytes
    out.write(new byte[64]);
    out.write(32); // confirmation_tag<V>
    out.write(new byte[32]);
    out.write(32); // membership_tag<V> (the sender is a member)
    out.write(new byte[32]);
    return out.toByteArray();
  }

  @Test
  void garbageIsMalformedAndNeverAnotherException() {
    Setup s = threeMembers();
    byte[] commit = s.adding().commit();
    List<Consumer<byte[]>> all =
        List.of(
            HandshakeInspector::commit,
            HandshakeInspector::application,
            HandshakeInspector::groupInfo,
            HandshakeInspector::welcome);
    byte[] random = new byte[700];
    new SecureRandom().nextBytes(random);
    for (Consumer<byte[]> inspect : all) {
      refused(Reason.MALFORMED, () -> inspect.accept(null));
      refused(Reason.MALFORMED, () -> inspect.accept(new byte[0]));
      refused(Reason.MALFORMED, () -> inspect.accept(random));
      refused(Reason.MALFORMED, () -> inspect.accept(new byte[] {0, 1, 0, 1, 7}));
      refused(Reason.MALFORMED, () -> inspect.accept(new byte[(1 << 20) + 1]));
      refused(Reason.MALFORMED, () -> inspect.accept(Arrays.copyOf(commit, commit.length + 1)));
      // A few bytes claiming a 1 GiB group id: refused before bcmls would allocate it.
      refused(
          Reason.MALFORMED, () -> inspect.accept(HexFormat.of().parseHex("00010001bfffffff00")));
      for (int cut = 0; cut < commit.length; cut += 7) {
        byte[] truncated = Arrays.copyOf(commit, cut);
        refused(Reason.MALFORMED, () -> inspect.accept(truncated));
      }
    }
    byte[] keyPackage = ChannelSession.newKeyPackage(carol).publicBytes();
    refused(Reason.NOT_A_COMMIT, () -> HandshakeInspector.commit(keyPackage));
    refused(Reason.NOT_AN_APPLICATION_MESSAGE, () -> HandshakeInspector.application(keyPackage));
    refused(Reason.MALFORMED, () -> HandshakeInspector.groupInfo(keyPackage));
    refused(Reason.MALFORMED, () -> HandshakeInspector.welcome(keyPackage));
  }

  /** A leaf whose credential decodes but whose attestation chain does not. */
  @Test
  void anUnreadableAttestationChainIsAnMlsExceptionEverywhere() throws Exception {
    org.bouncycastle.mls.codec.KeyPackage keyPackage = keyPackageWithIdentity(carol, badChain());
    byte[] upload =
        MLSOutputStream.encode(org.bouncycastle.mls.codec.MLSMessage.keyPackage(keyPackage));
    refused(Reason.UNTRUSTED_MEMBER, () -> ChannelSession.inspectKeyPackage(upload));
    ChannelSession channel = ChannelSession.create(alice, groupId.encode(), Trust.anyone());
    refused(Reason.UNTRUSTED_MEMBER, () -> channel.add(List.of(upload)));

    Commit commit = new Commit();
    commit.getProposals().add(ProposalOrRef.forProposal(Proposal.add(keyPackage)));
    byte[] bytes = publicCommit(groupId.encode(), 0, Sender.forMember(new LeafIndex(0)), commit);
    refused(Reason.MALFORMED, () -> HandshakeInspector.commit(bytes));
  }

  /** MemberCredential bytes (version 1, user, device) with a chain that is not a chain. */
  static byte[] badChain() {
    return new org.liaison.crypto.codec.CanonicalWriter()
        .u16(1)
        .text8("carol")
        .text8("browser")
        .opaque16(new byte[] {1, 0, 3, 9, 9, 9})
        .toByteArray();
  }

  static org.bouncycastle.mls.codec.KeyPackage keyPackageWithIdentity(
      DeviceIdentity device, byte[] identity) throws Exception {
    MlsCipherSuite suite = MlsCipherSuite.getSuite(ChannelSession.DEFAULT_SUITE);
    org.bouncycastle.mls.TreeKEM.LeafNode leaf =
        new org.bouncycastle.mls.TreeKEM.LeafNode(
            suite,
            suite.getHPKE().serializePublicKey(suite.getHPKE().generatePrivateKey().getPublic()),
            device.signaturePublicKey(),
            org.bouncycastle.mls.codec.Credential.forBasic(identity),
            new org.bouncycastle.mls.codec.Capabilities(),
            new org.bouncycastle.mls.TreeKEM.LifeTime(),
            new java.util.ArrayList<>(),
            device.signaturePrivateKey());
    return new org.bouncycastle.mls.codec.KeyPackage(
        suite,
        suite.getHPKE().serializePublicKey(suite.getHPKE().generatePrivateKey().getPublic()),
        leaf,
        new java.util.ArrayList<>(),
        device.signaturePrivateKey());
  }

  /** Every single-byte corruption of each message kind: accepted or MlsException, nothing else. */
  @Test
  void corruptedMessagesOnlyEverGiveMlsExceptions() {
    Setup s = threeMembers();
    List<byte[]> messages =
        List.of(
            s.adding().commit(),
            s.adding().welcome().orElseThrow(),
            s.alice().groupInfo(),
            s.alice().protect(new byte[0], new byte[] {1, 2, 3}),
            ChannelSession.resync(bob, s.alice().groupInfo(), Trust.anyone()).commit(),
            s.bobKp().publicBytes());
    List<Consumer<byte[]>> all =
        List.of(
            HandshakeInspector::commit,
            HandshakeInspector::application,
            HandshakeInspector::groupInfo,
            HandshakeInspector::welcome);
    int refusals = 0;
    for (byte[] message : messages) {
      for (int i = 0; i < message.length; i++) {
        for (int flip : new int[] {0x01, 0x40, 0x80, 0xFF}) {
          byte[] bad = message.clone();
          bad[i] ^= (byte) flip;
          for (Consumer<byte[]> inspect : all) {
            try {
              inspect.accept(bad);
            } catch (MlsException e) {
              refusals++;
            } catch (Throwable e) {
              fail("byte " + i + " ^ " + flip + ": " + e, e);
            }
          }
        }
      }
    }
    assertTrue(refusals > 0);
  }
}
