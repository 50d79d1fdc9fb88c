package org.liaison.client.channels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.liaison.client.channels.AttestedNetwork.await;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.client.LiaisonClient;
import org.liaison.client.LiaisonException;
import org.liaison.client.channels.AttestedNetwork.City;
import org.liaison.client.channels.AttestedNetwork.Person;
import org.liaison.crypto.mls.ChannelGroupId;
import org.liaison.crypto.mls.ChannelPolicy;
import org.liaison.crypto.mls.ChannelSession;
import org.liaison.crypto.mls.MlsException;
import org.liaison.crypto.mls.Trust;

/**
 * The channel scenarios of the issue, end to end: a real server on 127.0.0.1, real WebSockets, real
 * bcmls on every device, attestations from a network root. Two cities; a police officer (T2, law
 * enforcement) and a civil-society member (T1) in the first, a youth worker (T2) in the second, and
 * each city's municipal coordinator (T3).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChannelScenariosTest {
  AttestedNetwork net;
  City north;
  City south;
  Person officer;
  Person youthWorker;
  Person civil;
  Person coordinator;

  @BeforeAll
  void network(@TempDir Path dataDir) throws Exception {
    net = new AttestedNetwork(dataDir);
    north = net.city("Northam", "NL");
    south = net.city("Southby", "NL");
    officer = net.person("Officer Olsen", north, "law-enforcement", 2);
    civil = net.person("Cora Civil", north, "civil-society", 1);
    youthWorker = net.person("Yara Youth", south, "youth-work", 2);
    coordinator = net.coordinator("Mira Municipal", north);
  }

  @AfterAll
  void stop() {
    for (Person p : List.of(officer, civil, youthWorker, coordinator)) {
      p.device().close();
    }
    net.close();
  }

  static ChannelPolicy policy(int minTier, String... sectors) {
    return new ChannelPolicy(minTier, new TreeSet<>(Set.of(sectors)), 30, false);
  }

  /** Creates a channel as {@code owner} and adds the others; each added device joins. */
  String channel(Person owner, ChannelPolicy policy, String name, Person... members)
      throws Exception {
    String id = await(owner.device().createChannel("case", policy, new ChannelMeta(name, "")));
    if (members.length > 0) {
      await(
          owner.device().addMembers(id, java.util.Arrays.stream(members).map(Person::id).toList()));
      for (Person m : members) {
        m.nextEvent(ChannelEvent.Joined.class, id);
      }
    }
    return id;
  }

  void drain() {
    for (Person p : List.of(officer, civil, youthWorker, coordinator)) {
      p.messages().clear();
      p.events().clear();
    }
  }

  @Test
  void caseChannelCarriesMessagesBothWaysWithVerifiedSenders() throws Exception {
    drain();
    String id = channel(officer, policy(2), "Case 2026-114", youthWorker);
    await(officer.device().send(id, "Hello from the police"));
    ChannelMessage got = youthWorker.nextMessage(id);
    assertEquals("Hello from the police", got.text());
    assertEquals(officer.id(), got.senderUserId());
    assertEquals(officer.device().keys().orElseThrow().deviceId(), got.senderDeviceId());

    await(youthWorker.device().send(id, "Hello from youth work"));
    ChannelMessage back = officer.nextMessage(id);
    assertEquals("Hello from youth work", back.text());
    assertEquals(youthWorker.id(), back.senderUserId());
    assertTrue(back.seq() > got.seq());

    // the joiner reads the name the committer wrote again under the new epoch
    ChannelInfo seen = await(youthWorker.device().channel(id));
    assertEquals("Case 2026-114", seen.displayName());
    assertEquals(2, seen.policy().minTier());
    assertArrayEquals(
        officer.device().session(id).orElseThrow().epochAuthenticator(),
        youthWorker.device().session(id).orElseThrow().epochAuthenticator());
  }

  @Test
  void t2CaseChannelRefusesTheT1MemberInTheSdkAndOnTheServer() throws Exception {
    drain();
    String id = channel(officer, policy(2), "Case T2");
    MlsException local =
        assertThrows(
            MlsException.class, () -> await(officer.device().addMembers(id, List.of(civil.id()))));
    assertEquals(MlsException.Reason.UNTRUSTED_MEMBER, local.reason());
    assertTrue(local.getMessage().contains("below T2"), local.getMessage());

    // A client without that check (Trust.anyone) crafts the commit; the server refuses it.
    LiaisonException refused = craftAdd(officer, policy(2), civil);
    assertEquals(403, refused.status());
    assertEquals("policy-violation", refused.code());
    assertEquals("min-tier", refused.details().getString("rule"));
    assertEquals(civil.id(), refused.details().getString("userId"));
  }

  @Test
  void channelWithoutLawEnforcementRefusesTheOfficer() throws Exception {
    drain();
    ChannelPolicy youthOnly = policy(1, "youth-work", "civil-society", "municipality");
    String id = channel(youthWorker, youthOnly, "Youth outreach", civil);
    MlsException local =
        assertThrows(
            MlsException.class,
            () -> await(youthWorker.device().addMembers(id, List.of(officer.id()))));
    assertEquals(MlsException.Reason.UNTRUSTED_MEMBER, local.reason());
    assertTrue(local.getMessage().contains("law-enforcement"), local.getMessage());

    LiaisonException refused = craftAdd(youthWorker, youthOnly, officer);
    assertEquals(403, refused.status());
    assertEquals("sector", refused.details().getString("rule"));
    assertEquals(officer.id(), refused.details().getString("userId"));
  }

  /**
   * Creates a channel with a bare ChannelSession that trusts anyone, claims {@code joiner}'s key
   * package and posts the Add: what a modified client could do. Answers the server's refusal.
   */
  LiaisonException craftAdd(Person owner, ChannelPolicy policy, Person joiner) throws Exception {
    LiaisonClient client = owner.client();
    ChannelGroupId groupId = ChannelGroupId.create(policy);
    ChannelSession session =
        ChannelSession.create(
            owner.device().keys().orElseThrow().identity(), groupId.encode(), Trust.anyone());
    await(
        client.createChannel(
            groupId.encode(), "case", PolicyJson.toJson(policy), session.groupInfo(), null));
    JsonObject claim = await(client.claimKeyPackages(List.of(joiner.id())));
    byte[] keyPackage =
        LiaisonClient.unb64(claim.getJsonArray("items").getJsonObject(0).getString("keyPackage"));
    ChannelSession.PendingCommit add = session.add(List.of(keyPackage));
    byte[] groupInfo = add.next().groupInfo();
    return assertThrows(
        LiaisonException.class,
        () ->
            await(
                client.postCommit(
                    groupId.channelIdHex(),
                    session.epoch(),
                    add.commit(),
                    add.welcome(),
                    groupInfo)));
  }

  @Test
  void removedMemberReceivesNothingAndCannotReadLaterCiphertext() throws Exception {
    drain();
    String id = channel(officer, policy(2), "Case removal", youthWorker, coordinator);
    await(officer.device().send(id, "before"));
    assertEquals("before", youthWorker.nextMessage(id).text());
    assertEquals("before", coordinator.nextMessage(id).text());
    ChannelSession youthBefore = youthWorker.device().session(id).orElseThrow();

    await(officer.device().removeMembers(id, List.of(youthWorker.id())));
    ChannelEvent.Removed removed = youthWorker.nextEvent(ChannelEvent.Removed.class, id);
    assertEquals(id, removed.channelId());
    assertTrue(youthWorker.device().session(id).isEmpty());

    LiaisonDevice.Sent after = await(officer.device().send(id, "after the removal"));
    assertEquals("after the removal", coordinator.nextMessage(id).text());
    assertNull(youthWorker.pollMessage(id, java.time.Duration.ofSeconds(1)));

    // the ciphertext fetched directly (here through a member) does not open with the old state
    JsonObject page = await(officer.client().messages(id, after.seq() - 1, 1));
    byte[] ciphertext =
        LiaisonClient.unb64(page.getJsonArray("items").getJsonObject(0).getString("ciphertext"));
    assertThrows(MlsException.class, () -> youthBefore.unprotect(ciphertext));
    // and the server no longer shows the channel to the removed member
    LiaisonException gone =
        assertThrows(LiaisonException.class, () -> await(youthWorker.client().messages(id, 0, 1)));
    assertEquals("channel-not-found", gone.code());
  }

  @Test
  void aMemberWhoLeavesIsRemovedByTheOthers() throws Exception {
    drain();
    String id = channel(officer, policy(1), "Case leave", youthWorker, civil);
    await(youthWorker.device().leave(id));
    youthWorker.nextEvent(ChannelEvent.Removed.class, id);
    ChannelEvent.MembersChanged seen = civil.nextEvent(ChannelEvent.MembersChanged.class, id);
    assertEquals(youthWorker.id(), seen.removed().get(0).userId());
    await(officer.device().send(id, "without the youth worker"));
    assertEquals("without the youth worker", civil.nextMessage(id).text());
    assertNull(youthWorker.pollMessage(id, java.time.Duration.ofMillis(500)));
  }

  @Test
  void concurrentCommitsOneWinsAndTheOtherRebases() throws Exception {
    drain();
    String id = channel(officer, policy(1), "Case race", coordinator);
    // The coordinator goes offline, so its state stays at this epoch while the officer commits.
    await(coordinator.device().disconnect());
    long before = officer.device().session(id).orElseThrow().epoch();
    await(officer.device().addMembers(id, List.of(youthWorker.id())));
    youthWorker.nextEvent(ChannelEvent.Joined.class, id);
    LiaisonDevice.Committed rebased =
        await(coordinator.device().addMembers(id, List.of(civil.id())));
    ChannelEvent.Rebased lost = coordinator.nextEvent(ChannelEvent.Rebased.class, id);
    assertEquals(before, lost.lostEpoch());
    assertEquals(before + 1, lost.retryEpoch());
    assertEquals(before + 2, rebased.epoch());
    civil.nextEvent(ChannelEvent.Joined.class, id);
    await(coordinator.device().connect());

    // Both at once: exactly one commit per epoch is accepted; both end up applied.
    Future<LiaisonDevice.Committed> a = officer.device().update(id);
    Future<LiaisonDevice.Committed> b = youthWorker.device().update(id);
    LiaisonDevice.Committed ca = await(a);
    LiaisonDevice.Committed cb = await(b);
    assertTrue(ca.epoch() != cb.epoch(), ca + " " + cb);
    assertEquals(before + 4, Math.max(ca.epoch(), cb.epoch()));

    await(officer.device().send(id, "everyone agrees"));
    for (Person p : List.of(youthWorker, coordinator, civil)) {
      assertEquals("everyone agrees", p.nextMessage(id).text());
      assertArrayEquals(
          officer.device().session(id).orElseThrow().epochAuthenticator(),
          p.device().session(id).orElseThrow().epochAuthenticator(),
          p.name());
    }
    // the log holds one commit per epoch
    JsonArray items = await(officer.client().messages(id, 0, 500)).getJsonArray("items");
    List<Long> commitEpochs = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      JsonObject e = items.getJsonObject(i);
      if ("commit".equals(e.getString("kind"))) {
        commitEpochs.add(e.getLong("epoch"));
      }
    }
    assertEquals(new ArrayList<>(new TreeSet<>(commitEpochs)), commitEpochs);
  }

  @Test
  void deviceOfflineFor500MessagesCatchesUpInOrder() throws Exception {
    drain();
    String id = channel(officer, policy(2), "Case backlog", youthWorker);
    await(youthWorker.device().disconnect());
    for (int i = 0; i < 500; i++) {
      await(officer.device().send(id, "m" + i));
    }
    await(youthWorker.device().connect());
    List<ChannelMessage> got = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      got.add(youthWorker.nextMessage(id));
    }
    for (int i = 0; i < 500; i++) {
      assertEquals("m" + i, got.get(i).text());
      if (i > 0) {
        assertEquals(got.get(i - 1).seq() + 1, got.get(i).seq());
      }
    }
    assertNull(youthWorker.pollMessage(id, java.time.Duration.ofSeconds(1)), "no duplicates");
  }

  @Test
  void retriedSendIsStoredOnce() throws Exception {
    drain();
    String id = channel(officer, policy(2), "Case retry", youthWorker);
    LiaisonDevice.Sent first = await(officer.device().send(id, "exactly once", "retry-1"));
    LiaisonDevice.Sent again = await(officer.device().send(id, "exactly once", "retry-1"));
    assertEquals(first.seq(), again.seq());
    assertEquals("exactly once", youthWorker.nextMessage(id).text());
    await(officer.device().send(id, "next"));
    assertEquals("next", youthWorker.nextMessage(id).text());
    assertNull(youthWorker.pollMessage(id, java.time.Duration.ofMillis(500)));
  }

  @Test
  void restartedDeviceResyncsAndReportsWhatItCannotRead() throws Exception {
    drain();
    String id = channel(officer, policy(2), "Case restart", youthWorker);
    DeviceKeys keys = youthWorker.device().keys().orElseThrow();
    youthWorker.device().close();
    await(officer.device().send(id, "while the youth worker's device was off"));

    java.util.concurrent.BlockingQueue<ChannelMessage> messages =
        new java.util.concurrent.LinkedBlockingQueue<>();
    java.util.concurrent.BlockingQueue<ChannelEvent> events =
        new java.util.concurrent.LinkedBlockingQueue<>();
    LiaisonDevice restarted =
        new LiaisonDevice(youthWorker.client(), net.root.publicKey(), AttestedNetwork.OPTIONS)
            .onMessage(messages::add)
            .onEvent(events::add);
    await(restarted.resume(keys));
    await(restarted.connect());
    Person again =
        new Person(
            youthWorker.name(),
            youthWorker.member(),
            2,
            "youth-work",
            south,
            youthWorker.client(),
            restarted,
            messages,
            events);
    ChannelEvent.HistoryUnavailable missed =
        again.nextEvent(ChannelEvent.HistoryUnavailable.class, id);
    assertEquals(ChannelEvent.HistoryUnavailable.Why.RESYNCED, missed.why());
    youthWorker = again;

    await(officer.device().send(id, "after the restart"));
    assertEquals("after the restart", youthWorker.nextMessage(id).text());
  }

  @Test
  void aServerWithAnotherRootKeyIsRefused() throws Exception {
    LiaisonDevice stranger =
        new LiaisonDevice(
            civil.client(), org.liaison.crypto.Ed25519.KeyPair.generate().publicKey());
    assertThrows(UntrustedServerException.class, () -> await(stranger.registerDevice("x")));
    assertThrows(
        UntrustedServerException.class,
        () -> await(stranger.resume(civil.device().keys().orElseThrow())));
    assertTrue(stranger.keys().isEmpty());
  }

  @Test
  void realtimeAuthenticatesWithTheFirstFrameToo() throws Exception {
    LiaisonDevice device =
        new LiaisonDevice(civil.client(), net.root.publicKey(), LiaisonDevice.Options.defaults());
    await(device.resume(civil.device().keys().orElseThrow()));
    await(device.connect());
    assertTrue(device.connected());
    device.close();
  }
}
