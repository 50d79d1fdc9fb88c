package org.liaison.client.channels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.liaison.client.channels.ChannelEvent.MemberRef;
import org.liaison.crypto.mls.ChannelGroupId;
import org.liaison.crypto.mls.ChannelPolicy;
import org.liaison.crypto.mls.ChannelSession;
import org.liaison.crypto.mls.DeviceIdentity;
import org.liaison.crypto.mls.KeyPackageSecrets;
import org.liaison.crypto.mls.Trust;

/** The log rules with real bcmls sessions and hand-made entries: no server. */
class ChannelLogTest {
  static final String CHANNEL = "0123456789abcdef0123456789abcdef";
  final DeviceIdentity alice = DeviceIdentity.generate("alice", "alice-phone");
  final DeviceIdentity bob = DeviceIdentity.generate("bob", "bob-laptop");
  final DeviceIdentity carol = DeviceIdentity.generate("carol", "carol-cli");
  final byte[] groupId =
      ChannelGroupId.create(new ChannelPolicy(1, new TreeSet<>(), 30, false)).encode();

  long seq = 0;

  LogEntry message(DeviceIdentity sender, ChannelSession session, String text) {
    return entry(
        sender,
        LogEntry.Kind.MESSAGE,
        session.epoch(),
        session.protect(new byte[0], TextPayload.text(text, Instant.now()).encode()),
        List.of());
  }

  LogEntry commit(DeviceIdentity sender, long epoch, byte[] commit, List<MemberRef> removed) {
    return entry(sender, LogEntry.Kind.COMMIT, epoch, commit, removed);
  }

  LogEntry entry(
      DeviceIdentity sender,
      LogEntry.Kind kind,
      long epoch,
      byte[] bytes,
      List<MemberRef> removed) {
    return new LogEntry(
        CHANNEL,
        ++seq,
        kind,
        epoch,
        Optional.empty(),
        sender.userId(),
        sender.deviceId(),
        Instant.now().toString(),
        bytes,
        List.of(),
        removed);
  }

  /** Alice creates, adds Bob (seq 1); Bob joins from the Welcome and starts after seq 1. */
  record Pair(ChannelLog aliceLog, ChannelLog bobLog) {}

  Pair aliceAndBob() {
    ChannelLog aliceLog =
        new ChannelLog(CHANNEL, ChannelSession.create(alice, groupId, Trust.anyone()), 0);
    KeyPackageSecrets bobKp = ChannelSession.newKeyPackage(bob);
    ChannelSession.PendingCommit add = aliceLog.session().add(List.of(bobKp.publicBytes()));
    LogEntry addEntry = commit(alice, 0, add.commit(), List.of());
    aliceLog.commitAccepted(addEntry.seq(), add.next());
    ChannelLog.Outcome adopted = aliceLog.apply(addEntry);
    ChannelEvent.MembersChanged changed =
        assertInstanceOf(ChannelEvent.MembersChanged.class, adopted.event().orElseThrow());
    assertEquals(List.of("bob"), changed.added().stream().map(MemberRef::userId).toList());
    ChannelSession bobSession =
        ChannelSession.join(bob, bobKp, add.welcome().orElseThrow(), Trust.anyone());
    return new Pair(aliceLog, new ChannelLog(CHANNEL, bobSession, addEntry.seq()));
  }

  @Test
  void deliversMessagesWithTheVerifiedSenderAndSkipsOwnAndDuplicates() {
    Pair p = aliceAndBob();
    LogEntry hello = message(alice, p.aliceLog().session(), "hello bob");
    assertEquals(ChannelLog.Outcome.NONE, p.aliceLog().apply(hello));
    ChannelMessage got = p.bobLog().apply(hello).message().orElseThrow();
    assertEquals("hello bob", got.text());
    assertEquals("alice", got.senderUserId());
    assertEquals("alice-phone", got.senderDeviceId());
    assertEquals(hello.seq(), got.seq());
    // the same entry again (a reconnect replays from the last ack): nothing, no error
    assertEquals(ChannelLog.Outcome.NONE, p.bobLog().apply(hello));
    assertEquals(hello.seq(), p.bobLog().processedSeq());
  }

  @Test
  void refusesEntriesOutOfOrder() {
    Pair p = aliceAndBob();
    message(alice, p.aliceLog().session(), "lost in transit");
    LogEntry later = message(alice, p.aliceLog().session(), "later");
    assertThrows(IllegalStateException.class, () -> p.bobLog().apply(later));
  }

  @Test
  void dropsAMessageWhoseSignerIsNotTheDeviceTheServerNamed() {
    Pair p = aliceAndBob();
    LogEntry forged = message(alice, p.aliceLog().session(), "from alice");
    LogEntry relabelled =
        new LogEntry(
            CHANNEL,
            forged.seq(),
            forged.kind(),
            forged.epoch(),
            Optional.empty(),
            "carol",
            "carol-cli",
            forged.sentAt(),
            forged.payload(),
            List.of(),
            List.of());
    ChannelLog.Outcome outcome = p.bobLog().apply(relabelled);
    assertTrue(outcome.message().isEmpty());
    ChannelEvent.Dropped dropped =
        assertInstanceOf(ChannelEvent.Dropped.class, outcome.event().orElseThrow());
    assertTrue(dropped.reason().startsWith("sender-mismatch"), dropped.reason());
  }

  @Test
  void ownCommitIsAdoptedWhenTheLogReachesItAndEarlierEntriesUseTheOldEpoch() {
    Pair p = aliceAndBob();
    // Bob commits an update; before his commit the log holds a message of Alice in the old epoch
    // that Bob has not processed yet.
    LogEntry early = message(alice, p.aliceLog().session(), "still epoch 1");
    ChannelSession.PendingCommit update = p.bobLog().session().update();
    LogEntry bobsCommit = commit(bob, 1, update.commit(), List.of());
    p.bobLog().commitAccepted(bobsCommit.seq(), update.next());
    assertEquals("still epoch 1", p.bobLog().apply(early).message().orElseThrow().text());
    assertEquals(1, p.bobLog().session().epoch());
    p.bobLog().apply(bobsCommit);
    assertEquals(2, p.bobLog().session().epoch());
    p.aliceLog().apply(early);
    p.aliceLog().apply(bobsCommit);
    assertArrayEquals(
        p.aliceLog().session().epochAuthenticator(), p.bobLog().session().epochAuthenticator());
    LogEntry after = message(alice, p.aliceLog().session(), "epoch 2");
    assertEquals("epoch 2", p.bobLog().apply(after).message().orElseThrow().text());
    assertTrue(p.bobLog().metaKey(1).isPresent() && p.bobLog().metaKey(2).isPresent());
  }

  @Test
  void aCommitOfThisDeviceItDidNotMakeLosesTheSession() {
    Pair p = aliceAndBob();
    ChannelSession.PendingCommit update = p.bobLog().session().update();
    p.bobLog().apply(commit(bob, 1, update.commit(), List.of()));
    assertEquals(ChannelLog.State.LOST, p.bobLog().state());
  }

  @Test
  void removalEndsTheChannelAndLaterCiphertextStaysUnreadable() {
    Pair p = aliceAndBob();
    KeyPackageSecrets carolKp = ChannelSession.newKeyPackage(carol);
    ChannelSession.PendingCommit addCarol =
        p.aliceLog().session().add(List.of(carolKp.publicBytes()));
    LogEntry added = commit(alice, 1, addCarol.commit(), List.of());
    p.aliceLog().commitAccepted(added.seq(), addCarol.next());
    p.aliceLog().apply(added);
    p.bobLog().apply(added);
    ChannelSession bobBefore = p.bobLog().session();

    ChannelSession.PendingCommit removeBob =
        p.aliceLog().session().remove(m -> m.userId().equals("bob"));
    LogEntry removal =
        commit(alice, 2, removeBob.commit(), List.of(new MemberRef(1, "bob", "bob-laptop")));
    p.aliceLog().commitAccepted(removal.seq(), removeBob.next());
    p.aliceLog().apply(removal);
    ChannelEvent.Removed removed =
        assertInstanceOf(
            ChannelEvent.Removed.class, p.bobLog().apply(removal).event().orElseThrow());
    assertEquals(removal.seq(), removed.seq());
    assertEquals(ChannelLog.State.REMOVED, p.bobLog().state());
    assertNull(p.bobLog().session());

    LogEntry secret = message(alice, p.aliceLog().session(), "after bob left");
    assertEquals(ChannelLog.Outcome.NONE, p.bobLog().apply(secret));
    assertThrows(
        org.liaison.crypto.mls.MlsException.class, () -> bobBefore.unprotect(secret.payload()));
  }

  @Test
  void aCommitBringingAnUntrustedMemberStopsTheChannel() {
    // Bob's session trusts nobody new; Alice (trusting anyone) adds Carol.
    ChannelLog aliceLog =
        new ChannelLog(CHANNEL, ChannelSession.create(alice, groupId, Trust.anyone()), 0);
    KeyPackageSecrets bobKp = ChannelSession.newKeyPackage(bob);
    ChannelSession.PendingCommit add = aliceLog.session().add(List.of(bobKp.publicBytes()));
    LogEntry addEntry = commit(alice, 0, add.commit(), List.of());
    aliceLog.commitAccepted(addEntry.seq(), add.next());
    aliceLog.apply(addEntry);
    Trust onlyAliceAndBob =
        (credential, key) -> {
          if (credential.userId().equals("carol")) {
            throw new org.liaison.crypto.mls.MlsException(
                org.liaison.crypto.mls.MlsException.Reason.UNTRUSTED_MEMBER, "carol: not attested");
          }
        };
    ChannelLog bobLog =
        new ChannelLog(
            CHANNEL,
            ChannelSession.join(bob, bobKp, add.welcome().orElseThrow(), onlyAliceAndBob),
            addEntry.seq());
    ChannelSession.PendingCommit addCarol =
        aliceLog.session().add(List.of(ChannelSession.newKeyPackage(carol).publicBytes()));
    ChannelEvent.Refused refused =
        assertInstanceOf(
            ChannelEvent.Refused.class,
            bobLog.apply(commit(alice, 1, addCarol.commit(), List.of())).event().orElseThrow());
    assertTrue(refused.reason().contains("carol"), refused.reason());
    assertEquals(ChannelLog.State.REFUSED, bobLog.state());
  }
}
