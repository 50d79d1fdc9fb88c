package org.liaison.crypto.mls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.mls.TreeKEM.LeafIndex;
import org.bouncycastle.mls.codec.MLSInputStream;
import org.bouncycastle.mls.codec.MLSMessage;
import org.bouncycastle.mls.codec.MLSOutputStream;
import org.bouncycastle.mls.crypto.Secret;
import org.bouncycastle.mls.protocol.Group;
import org.junit.jupiter.api.Test;
import org.liaison.crypto.Ed25519;
import org.liaison.crypto.attestation.AttestationChain;
import org.liaison.crypto.attestation.TierAttestation;
import org.liaison.crypto.mls.MlsException.Reason;

/**
 * What a device verifies when it rejoins from a GroupInfo the server hands it, and of every leaf
 * after a commit: real bcmls, real attestation chains, and commits crafted as a hostile member
 * would, straight through bcmls.
 */
class RejoinVerificationTest {
  static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  final Ed25519.KeyPair root = Ed25519.KeyPair.generate();
  final ChannelPolicy policy = new ChannelPolicy(1, new TreeSet<>(List.of()), 90, false);
  final ChannelGroupId groupId = ChannelGroupId.create(policy);
  final Trust trust = Trust.attestedBy(root.publicKey(), CLOCK, policy);

  final Ed25519.KeyPair bobKey = Ed25519.KeyPair.generate();
  final DeviceIdentity alice = attested("alice", "alice-laptop", Ed25519.KeyPair.generate());
  final DeviceIdentity bob = attested("bob", "bob-phone", bobKey);
  final DeviceIdentity carol = attested("carol", "carol-browser", Ed25519.KeyPair.generate());

  AttestationChain chain(String userId, byte[] key) {
    return AttestationChain.of(
        TierAttestation.issue(
            root,
            TierAttestation.Kind.DEVICE,
            userId,
            key,
            2,
            "youth-work",
            "skopje",
            NOW.minus(Duration.ofDays(1)),
            NOW.plus(Duration.ofDays(90))));
  }

  DeviceIdentity attested(String userId, String deviceId, Ed25519.KeyPair key) {
    return new DeviceIdentity(userId, deviceId, key, Optional.of(chain(userId, key.publicKey())));
  }

  static MlsException refused(Reason reason, org.junit.jupiter.api.function.Executable action) {
    MlsException e = assertThrows(MlsException.class, action);
    assertEquals(reason, e.reason(), e.getMessage());
    return e;
  }

  record Three(ChannelSession alice, ChannelSession bob, ChannelSession carol) {}

  Three threeMembers() {
    KeyPackageSecrets bobKp = ChannelSession.newKeyPackage(bob);
    KeyPackageSecrets carolKp = ChannelSession.newKeyPackage(carol);
    ChannelSession.PendingCommit adding =
        ChannelSession.create(alice, groupId.encode(), trust)
            .add(List.of(bobKp.publicBytes(), carolKp.publicBytes()));
    byte[] welcome = adding.welcome().orElseThrow();
    return new Three(
        adding.next(),
        ChannelSession.join(bob, bobKp, welcome, trust),
        ChannelSession.join(carol, carolKp, welcome, trust));
  }

  /** The GroupInfo ends with its signature: opaque signature<V>, varint 64 (0x4040), 64 bytes. */
  static byte[] flipSignatureByte(byte[] groupInfo) {
    byte[] forged = groupInfo.clone();
    assertEquals(0x40, forged[forged.length - 66] & 0xFF, "signature length prefix");
    assertEquals(0x40, forged[forged.length - 65] & 0xFF, "signature length prefix");
    forged[forged.length - 1] ^= 1;
    return forged;
  }

  /** Flips a byte of a leaf's signature key inside the GroupInfo's ratchet tree. */
  static byte[] flipTreeByte(byte[] groupInfo, byte[] signatureKey) {
    byte[] tampered = groupInfo.clone();
    int at = indexOf(tampered, signatureKey);
    assertTrue(at > 0, "the key is in the tree");
    tampered[at + 5] ^= 1;
    return tampered;
  }

  static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  // ---- GroupInfo on rejoin ------------------------------------------------------------------

  @Test
  void aRejoinFromAGroupInfoWithAFlippedSignatureByteIsRefused() {
    Three c = threeMembers();
    byte[] groupInfo = c.alice().groupInfo();
    MlsException e =
        refused(
            Reason.INVALID_GROUP_INFO,
            () -> ChannelSession.resync(bob, flipSignatureByte(groupInfo), trust));
    assertTrue(e.getMessage().contains("signature"), e.getMessage());
    // The GroupInfo as signed still works, and the rejoin replaces Bob's old leaf.
    ChannelSession.PendingCommit rejoin = ChannelSession.resync(bob, groupInfo, trust);
    ChannelSession atAlice = c.alice().handleCommit(rejoin.commit());
    assertArrayEquals(atAlice.epochAuthenticator(), rejoin.next().epochAuthenticator());
    assertEquals(3, atAlice.members().size());
  }

  @Test
  void aRejoinFromATreeThatDoesNotMatchItsHashIsRefused() {
    Three c = threeMembers();
    byte[] tampered = flipTreeByte(c.alice().groupInfo(), carol.signaturePublicKey());
    MlsException e =
        refused(Reason.INVALID_GROUP_INFO, () -> ChannelSession.resync(bob, tampered, trust));
    assertTrue(e.getMessage().contains("tree hash"), e.getMessage());
  }

  @Test
  void aGroupInfoSignedByAnotherLeafThanItNamesIsRefused() {
    Three c = threeMembers();
    byte[] groupInfo = c.alice().groupInfo();
    // signer (uint32) sits right before the signature; alice signed as leaf 0, claim leaf 2.
    byte[] moved = groupInfo.clone();
    assertEquals(0, moved[moved.length - 67]);
    moved[moved.length - 67] = 2;
    refused(Reason.INVALID_GROUP_INFO, () -> ChannelSession.resync(bob, moved, trust));
  }

  /**
   * Evidence for docs/crypto.md, and a tripwire for bcmls upgrades: bcmls 1.84's external join
   * checks the tree against the GroupInfo's tree hash, but never the GroupInfo's signature. If this
   * fails after an upgrade, bcmls started verifying it: update docs/crypto.md.
   */
  @Test
  void bcmlsExternalJoinChecksTheTreeHashButNotTheSignature() throws Exception {
    Three c = threeMembers();
    byte[] groupInfo = c.alice().groupInfo();
    externalJoin(carol, flipSignatureByte(groupInfo), 2); // accepted by bcmls alone
    Exception tree =
        assertThrows(
            Exception.class,
            () -> externalJoin(carol, flipTreeByte(groupInfo, bob.signaturePublicKey()), 2));
    assertEquals("Tree does not match GroupInfo", tree.getMessage());
  }

  // ---- every leaf after every commit ------------------------------------------------------

  @Test
  void anExternalCommitNamingAnotherUserWithAKnownKeyIsRefused() throws Exception {
    Three c = threeMembers();
    // Bob's device rejoins in place of its own leaf, with its own key and attestation chain, but
    // a credential naming Carol's user: the key is not new, the credential is.
    DeviceIdentity posingAsCarol =
        new DeviceIdentity(
            "carol", "bob-phone", bobKey, Optional.of(chain("bob", bobKey.publicKey())));
    byte[] commit = externalJoin(posingAsCarol, c.alice().groupInfo(), 1);
    MlsException e = refused(Reason.UNTRUSTED_MEMBER, () -> c.alice().handleCommit(commit));
    assertTrue(e.getMessage().contains("carol"), e.getMessage());
    refused(Reason.UNTRUSTED_MEMBER, () -> c.carol().handleCommit(commit));
  }

  @Test
  void anExternalCommitMovingAKnownKeyToAnotherDeviceIsRefused() throws Exception {
    Three c = threeMembers();
    // Same user, same key and chain (the chain binds key and user, not the device): only the
    // device id changed. A signature key names one device.
    DeviceIdentity otherDevice =
        new DeviceIdentity(
            "bob", "bob-tablet", bobKey, Optional.of(chain("bob", bobKey.publicKey())));
    byte[] commit = externalJoin(otherDevice, c.alice().groupInfo(), 1);
    MlsException e = refused(Reason.UNTRUSTED_MEMBER, () -> c.alice().handleCommit(commit));
    assertTrue(e.getMessage().contains("bob-tablet"), e.getMessage());
  }

  @Test
  void aLeafKeepingItsCredentialAndKeyIsNotVerifiedAgain() {
    AtomicInteger checks = new AtomicInteger();
    Trust counting =
        (credential, key) -> {
          checks.incrementAndGet();
          trust.check(credential, key);
        };
    KeyPackageSecrets bobKp = ChannelSession.newKeyPackage(bob);
    ChannelSession.PendingCommit adding =
        ChannelSession.create(alice, groupId.encode(), trust).add(List.of(bobKp.publicBytes()));
    ChannelSession atBob =
        ChannelSession.join(bob, bobKp, adding.welcome().orElseThrow(), counting);
    assertEquals(2, checks.get()); // both members on joining
    // Alice's update gives her leaf a new encryption key: same credential, same signature key.
    ChannelSession.PendingCommit update = adding.next().update();
    atBob = atBob.handleCommit(update.commit());
    assertEquals(2, checks.get());
    // A new member is checked.
    KeyPackageSecrets carolKp = ChannelSession.newKeyPackage(carol);
    atBob.handleCommit(update.next().add(List.of(carolKp.publicBytes())).commit());
    assertEquals(3, checks.get());
  }

  /**
   * An external commit as a hostile device would make it, straight through bcmls: from this
   * GroupInfo, removing the leaf {@code removePrior}, with whatever credential {@code as} carries.
   */
  static byte[] externalJoin(DeviceIdentity as, byte[] groupInfo, int removePrior)
      throws Exception {
    return Bcmls.exclusively(
        () -> {
          MLSMessage message = (MLSMessage) MLSInputStream.decode(groupInfo, MLSMessage.class);
          byte[] leafSecret = new byte[32];
          new SecureRandom().nextBytes(leafSecret);
          Group.GroupWithMessage joined =
              Group.externalJoin(
                  new Secret(leafSecret),
                  as.signatureKeyPair(),
                  ChannelSession.newKeyPackage(as).keyPackage,
                  message.groupInfo,
                  null,
                  new Group.MessageOptions(false, new byte[0], 0),
                  new LeafIndex(removePrior),
                  new HashMap<Secret, byte[]>());
          return MLSOutputStream.encode(joined.message);
        });
  }
}
