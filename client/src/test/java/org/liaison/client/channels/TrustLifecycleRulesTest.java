package org.liaison.client.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.liaison.client.LiaisonClient;
import org.liaison.crypto.Ed25519;
import org.liaison.crypto.attestation.AttestationChain;
import org.liaison.crypto.attestation.AttestationRevocations;
import org.liaison.crypto.attestation.TierAttestation;
import org.liaison.crypto.mls.ChannelGroupId;
import org.liaison.crypto.mls.ChannelPolicy;
import org.liaison.crypto.mls.ChannelSession;
import org.liaison.crypto.mls.ChannelSession.Member;
import org.liaison.crypto.mls.DeviceIdentity;
import org.liaison.crypto.mls.KeyPackageSecrets;
import org.liaison.crypto.mls.Trust;

/**
 * The SDK's trust-lifecycle rules without a server: removals due as the server lists or announces
 * them and which of them this device makes, the network root as the server states it, pages of the
 * revocation list, and a channel log that checks its members again when the list grows (real bcmls
 * sessions).
 */
class TrustLifecycleRulesTest {
  static final String CHANNEL = "0123456789abcdef0123456789abcdef";
  static final byte[] KEY = new byte[32];

  static Member member(String userId, String deviceId) {
    return new Member(0, userId, deviceId, KEY);
  }

  // ---- removals due -------------------------------------------------------------------------

  @Test
  void removalsDueAreReadFromTheChannelRecordLeniently() {
    assertEquals(List.of(), DueRemoval.fromChannel(new JsonObject()));
    assertEquals(List.of(), DueRemoval.fromChannel(new JsonObject().put("removalsDue", "x")));
    JsonObject record =
        new JsonObject()
            .put(
                "removalsDue",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("userId", "u1")
                            .putNull("deviceId")
                            .put("reason", "tier-lowered"))
                    .add(
                        new JsonObject()
                            .put("userId", "u2")
                            .put("deviceId", "d2")
                            .put("reason", "device-revoked"))
                    .add(new JsonObject().put("reason", "member-suspended")) // names nobody
                    .add("not an object"));
    List<DueRemoval> due = DueRemoval.fromChannel(record);
    assertEquals(
        List.of(
            new DueRemoval(Optional.of("u1"), Optional.empty(), "tier-lowered"),
            new DueRemoval(Optional.of("u2"), Optional.of("d2"), "device-revoked")),
        due);
  }

  @Test
  void channelUpdatedFramesAnnounceRemovalsOnlyForRemovalReasons() {
    assertEquals(Optional.empty(), DueRemoval.fromFrame(new JsonObject().put("reason", "meta")));
    assertEquals(
        Optional.empty(),
        DueRemoval.fromFrame(new JsonObject().put("reason", "removed").put("userId", "u1")));
    for (String reason :
        List.of("leave-requested", "member-suspended", "tier-lowered", "device-revoked")) {
      assertEquals(
          Optional.of(new DueRemoval(Optional.of("u1"), Optional.empty(), reason)),
          DueRemoval.fromFrame(new JsonObject().put("reason", reason).put("userId", "u1")),
          reason);
    }
    assertEquals(
        Optional.of(new DueRemoval(Optional.of("u1"), Optional.of("d1"), "device-revoked")),
        DueRemoval.fromFrame(
            new JsonObject()
                .put("reason", "device-revoked")
                .put("userId", "u1")
                .put("deviceId", "d1")));
  }

  @Test
  void aDeviceRemovesWhatIsDueExceptItselfAndItsOwnUser() {
    List<DueRemoval> due =
        List.of(
            new DueRemoval(Optional.of("bob"), Optional.empty(), "tier-lowered"),
            new DueRemoval(Optional.of("alice"), Optional.of("alice-old"), "device-revoked"),
            new DueRemoval(Optional.of("alice"), Optional.of("alice-phone"), "device-revoked"),
            new DueRemoval(Optional.of("alice"), Optional.empty(), "leave-requested"));
    Predicate<Member> which = DueRemoval.anyOf(due, "alice", "alice-phone");
    assertTrue(which.test(member("bob", "bob-laptop")));
    assertTrue(which.test(member("bob", "bob-phone")));
    // her own revoked old device, as for a device-revoked notice today
    assertTrue(which.test(member("alice", "alice-old")));
    // never this device; her own leave request is for the others to carry out
    assertFalse(which.test(member("alice", "alice-phone")));
    assertFalse(which.test(member("alice", "alice-tablet")));
    assertFalse(which.test(member("carol", "carol-cli")));
    // one device of a user: only that one
    Predicate<Member> oneDevice =
        DueRemoval.anyOf(
            List.of(new DueRemoval(Optional.of("bob"), Optional.of("bob-old"), "device-revoked")),
            "carol",
            "carol-cli");
    assertTrue(oneDevice.test(member("bob", "bob-old")));
    assertFalse(oneDevice.test(member("bob", "bob-laptop")));
    assertThrows(
        IllegalArgumentException.class,
        () -> new DueRemoval(Optional.empty(), Optional.empty(), "tier-lowered"));
  }

  // ---- the network root ---------------------------------------------------------------------

  @Test
  void theServersRootIsTheConfiguredOneNoneYetOrRefused() {
    byte[] configured = Ed25519.KeyPair.generate().publicKey();
    assertEquals(
        NetworkTrust.Root.CONFIRMED,
        NetworkTrust.judge(
            new JsonObject().put("rootKey", LiaisonClient.b64(configured)), configured));
    assertEquals(NetworkTrust.Root.NOT_PUBLISHED, NetworkTrust.judge(new JsonObject(), configured));
    assertEquals(
        NetworkTrust.Root.NOT_PUBLISHED,
        NetworkTrust.judge(new JsonObject().putNull("rootKey"), configured));
    byte[] other = Ed25519.KeyPair.generate().publicKey();
    assertThrows(
        UntrustedServerException.class,
        () ->
            NetworkTrust.judge(
                new JsonObject().put("rootKey", LiaisonClient.b64(other)), configured));
    assertThrows(
        UntrustedServerException.class,
        () -> NetworkTrust.judge(new JsonObject().put("rootKey", "%%%"), configured));
  }

  // ---- the revocation list ------------------------------------------------------------------

  static JsonObject revocation(long seq, String hash) {
    return new JsonObject()
        .put("seq", seq)
        .put("attestation", hash)
        .put("userId", "u" + seq)
        .put("deviceId", "d" + seq)
        .put("reason", "tier-changed")
        .put("revokedAt", "2026-12-02T06:00:00Z");
  }

  @Test
  void revocationPagesReadOnFromTheLastEntryAndSkipUnreadableOnes() {
    String a = "a".repeat(64);
    String b = "b".repeat(64);
    JsonObject json =
        new JsonObject()
            .put(
                "items",
                new JsonArray()
                    .add(revocation(4, a))
                    .add(revocation(5, "NOT-A-HASH"))
                    .add(revocation(6, b)))
            .put("next", 6);
    NetworkTrust.Page page = NetworkTrust.Page.parse(json, 3);
    assertEquals(List.of(a, b), page.hashes());
    assertEquals(6, page.next());
    assertEquals(1, page.skipped());

    NetworkTrust.Page empty =
        NetworkTrust.Page.parse(new JsonObject().put("items", new JsonArray()).put("next", 6), 6);
    assertEquals(List.of(), empty.hashes());
    assertEquals(6, empty.next(), "an empty page ends the reading");
    assertEquals(6, NetworkTrust.Page.parse(new JsonObject(), 6).next());
  }

  // ---- checking members again ---------------------------------------------------------------

  static final Instant NOW = Instant.parse("2026-12-02T06:00:00Z");
  final Ed25519.KeyPair root = Ed25519.KeyPair.generate();
  final ChannelPolicy policy = new ChannelPolicy(1, new TreeSet<>(), 30, false);
  final AttestationRevocations revoked = new AttestationRevocations();
  final Trust trust =
      Trust.attestedBy(root.publicKey(), Clock.fixed(NOW, ZoneOffset.UTC), policy, revoked);

  DeviceIdentity attested(String userId, String deviceId) {
    DeviceIdentity device = DeviceIdentity.generate(userId, deviceId);
    return device.withAttestation(
        AttestationChain.of(
            TierAttestation.issue(
                root,
                TierAttestation.Kind.DEVICE,
                userId,
                device.signaturePublicKey(),
                2,
                "youth-work",
                "skopje",
                NOW.minus(Duration.ofDays(1)),
                NOW.plus(Duration.ofDays(30)))));
  }

  @Test
  void aLogRefusesItsChannelWhenTheListGrowsToNameAMember() {
    DeviceIdentity alice = attested("alice", "alice-phone");
    DeviceIdentity bob = attested("bob", "bob-laptop");
    ChannelLog log =
        new ChannelLog(
            CHANNEL,
            ChannelSession.create(alice, ChannelGroupId.create(policy).encode(), trust),
            0);
    KeyPackageSecrets bobKp = ChannelSession.newKeyPackage(bob);
    ChannelSession.PendingCommit add = log.session().add(List.of(bobKp.publicBytes()));
    LogEntry entry =
        new LogEntry(
            CHANNEL,
            1,
            LogEntry.Kind.COMMIT,
            0,
            Optional.empty(),
            "alice",
            "alice-phone",
            NOW.toString(),
            add.commit(),
            List.of(),
            List.of());
    log.commitAccepted(1, add.next());
    log.apply(entry);
    assertEquals(ChannelLog.Outcome.NONE, log.reverify(), "nobody revoked yet");

    DeviceIdentity carol = attested("carol", "carol-cli");
    revoked.add(
        List.of(AttestationRevocations.hash(carol.credential().chain().orElseThrow().device())));
    assertEquals(ChannelLog.Outcome.NONE, log.reverify(), "the list names somebody else");
    assertEquals(ChannelLog.State.ACTIVE, log.state());

    revoked.add(
        List.of(AttestationRevocations.hash(bob.credential().chain().orElseThrow().device())));
    ChannelEvent.Refused refused =
        assertInstanceOf(ChannelEvent.Refused.class, log.reverify().event().orElseThrow());
    assertEquals(1, refused.seq());
    assertTrue(refused.reason().contains("bob/bob-laptop"), refused.reason());
    assertTrue(refused.reason().contains("revoked"), refused.reason());
    assertEquals(ChannelLog.State.REFUSED, log.state());
    assertNull(log.session());
    assertEquals(ChannelLog.Outcome.NONE, log.reverify(), "reported once");
  }
}
