package org.liaison.client.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.liaison.client.channels.AttestedNetwork.await;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.client.LiaisonClient;
import org.liaison.client.Session;
import org.liaison.client.channels.AttestedNetwork.City;
import org.liaison.client.channels.AttestedNetwork.Person;
import org.liaison.crypto.Ed25519;
import org.liaison.crypto.mls.ChannelPolicy;
import org.liaison.crypto.mls.ChannelSession;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.Network;
import org.liaison.server.testing.TestServer;

/**
 * The trust lifecycle (contract items 1–3) end to end against the real server: removals due carried
 * out by a member who was offline when they were announced, a lowered tier removed at once, a
 * revoked attestation refused by Java members, and the network root published after people
 * registered.
 *
 * <p>Needs the server side of the contract (the revocation list route, {@code removalsDue}, {@code
 * network-updated} frames), built on another branch: until it is merged, every test here is skipped
 * (the server answers 404 for {@code GET /network/attestation-revocations}).
 */
@Tag("trust-lifecycle-server")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrustLifecycleScenariosTest {
  AttestedNetwork net;
  City north;
  City south;
  int people;

  @BeforeAll
  void network(@TempDir Path dataDir) {
    net = new AttestedNetwork(dataDir);
    Api.Response list =
        net.server
            .api()
            .get("/api/v1/network/attestation-revocations?after=0", net.admin.accessToken());
    Assumptions.assumeTrue(
        list.status() != 404,
        "the server keeps no attestation revocation list yet (server side not merged)");
    north = net.city("Northam", "NL");
    south = net.city("Southby", "NL");
  }

  @AfterAll
  void stop() {
    if (net != null) {
      net.close();
    }
  }

  /** A fresh person per scenario, so one scenario's tier changes do not reach another's. */
  Person person(String name, City city, String sector, int tier) throws Exception {
    return net.person(name + " " + ++people, city, sector, tier);
  }

  static ChannelPolicy policy(int minTier) {
    return new ChannelPolicy(minTier, new TreeSet<>(Set.of()), 30, false);
  }

  String channel(Person owner, ChannelPolicy policy, Person... members) throws Exception {
    String id = await(owner.device().createChannel("case", policy, new ChannelMeta("Case", "")));
    await(owner.device().addMembers(id, java.util.Arrays.stream(members).map(Person::id).toList()));
    for (Person m : members) {
      m.nextEvent(ChannelEvent.Joined.class, id);
    }
    return id;
  }

  void setTier(Person who, int tier) {
    administer(who, "tier", "T" + tier);
  }

  void setRole(Person who, String role) {
    administer(who, "role", role);
  }

  /** An admin's change of one field of a member ({@code PUT /users/{id}/<field>}). */
  private void administer(Person who, String field, String value) {
    Api.Response set =
        net.server
            .api()
            .put(
                "/api/v1/users/" + who.id() + "/" + field,
                net.admin.accessToken(),
                new JsonObject().put(field, value).put("reason", "trust lifecycle test"));
    assertEquals(200, set.status(), set.toString());
  }

  static ChannelEvent.Network nextNetwork(
      BlockingQueue<ChannelEvent> events, String reason, String name) throws Exception {
    long end = System.nanoTime() + AttestedNetwork.WAIT.toNanos();
    while (System.nanoTime() < end) {
      ChannelEvent e = events.poll(end - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (e instanceof ChannelEvent.Network n && n.reason().equals(reason)) {
        return n;
      }
    }
    throw new AssertionError(name + " saw no network event " + reason);
  }

  static List<String> userIds(ChannelSession session) {
    return session.members().stream().map(ChannelSession.Member::userId).toList();
  }

  @Test
  void aLeaveRequestedWhileNobodyWasOnlineIsCarriedOutOnReconnecting() throws Exception {
    Person owner = person("Olga Owner", north, "municipality", 2);
    Person leaver = person("Lev Leaver", south, "youth-work", 2);
    Person other = person("Otto Other", north, "civil-society", 2);
    String id = channel(owner, policy(1), leaver, other);

    await(owner.device().disconnect());
    await(other.device().disconnect());
    await(leaver.device().leave(id));
    // nobody online heard the notice; the channel record keeps it as due
    Thread.sleep(500);
    assertFalse(leaver.device().session(id).isEmpty(), "not removed while nobody was online");

    await(owner.device().connect());
    leaver.nextEvent(ChannelEvent.Removed.class, id);
    await(other.device().connect());
    await(other.device().catchUp(id));
    assertFalse(userIds(owner.device().session(id).orElseThrow()).contains(leaver.id()));
    await(owner.device().send(id, "without the leaver"));
    assertEquals("without the leaver", other.nextMessage(id).text());
  }

  @Test
  void aTierLoweredBelowTheChannelsIsRemovedAtOnceAndTheRestStayTrusted() throws Exception {
    Person owner = person("Tara Owner", north, "municipality", 2);
    Person lowered = person("Luka Lowered", south, "youth-work", 2);
    Person other = person("Omar Other", north, "civil-society", 2);
    String id = channel(owner, policy(2), lowered, other);
    owner.events().clear();

    setTier(lowered, 1);
    ChannelEvent.Network seen = nextNetwork(owner.events(), "attestations-revoked", owner.name());
    assertTrue(seen.trusted());
    lowered.nextEvent(ChannelEvent.Removed.class, id);
    ChannelEvent.MembersChanged removal = other.nextEvent(ChannelEvent.MembersChanged.class, id);
    assertEquals(lowered.id(), removal.removed().get(0).userId());

    await(owner.device().send(id, "after the tier change"));
    assertEquals("after the tier change", other.nextMessage(id).text());
    assertTrue(owner.device().session(id).isPresent(), "the channel stays followed");
    assertFalse(
        owner.events().stream()
            .anyMatch(e -> e instanceof ChannelEvent.Refused r && r.channelId().equals(id)),
        "nobody left in the channel is refused");
  }

  @Test
  void aRevokedAttestationStillInTheChannelIsRefusedByJavaMembers() throws Exception {
    Person owner = person("Rita Owner", north, "municipality", 2);
    Person raised = person("Ravi Raised", north, "civil-society", 1);
    Person other = person("Ola Other", south, "youth-work", 2);
    String id = channel(owner, policy(1), raised, other);

    // A new role revokes the attestation that stated the old one but removes nobody (the policy
    // is about tier and sector). A raised tier revokes nothing: the old attestation stays true.
    setRole(raised, "city-coordinator");
    ChannelEvent.Refused refused = owner.nextEvent(ChannelEvent.Refused.class, id);
    assertTrue(refused.reason().contains(raised.id()), refused.reason());
    assertTrue(refused.reason().contains("revoked"), refused.reason());
    assertTrue(owner.device().session(id).isEmpty(), "no longer followed");
    other.nextEvent(ChannelEvent.Refused.class, id);
  }

  @Test
  void theRootPublishedAfterRegistrationIsConfirmedAndAnotherIsRefused(@TempDir Path dir)
      throws Exception {
    try (TestServer server = TestServer.start(dir)) {
      Network network = new Network(server.api());
      Network.Member admin = network.registerAdmin(server.bootstrapCode(), "admin@fresh.example");
      String city = network.createCity(admin, "Freshby", "NL");
      String org = network.createOrganisation(admin, city, "Freshby youth", "youth-work");
      Network.Member early =
          network.join(admin, "early@fresh.example", "Early", city, org, "T2", "member");
      Network.Member wary =
          network.join(admin, "wary@fresh.example", "Wary", city, org, "T2", "member");
      Ed25519.KeyPair root = Ed25519.KeyPair.generate();
      String base = "http://127.0.0.1:" + server.server().port();

      BlockingQueue<ChannelEvent> earlyEvents = new LinkedBlockingQueue<>();
      LiaisonDevice earlyDevice = device(base, early, root.publicKey(), earlyEvents);
      BlockingQueue<ChannelEvent> waryEvents = new LinkedBlockingQueue<>();
      LiaisonDevice waryDevice =
          device(base, wary, Ed25519.KeyPair.generate().publicKey(), waryEvents);
      try {
        // registered and connected before the network has a root: it says so and waits
        ChannelEvent.Network waiting = nextNetwork(earlyEvents, "root-key", "early");
        assertTrue(waiting.detail().contains("no network root"), waiting.detail());

        Api.Response set =
            server
                .api()
                .put(
                    "/api/v1/network/root-key",
                    admin.accessToken(),
                    new JsonObject().put("rootKey", LiaisonClient.b64(root.publicKey())));
        assertEquals(200, set.status() / 100 * 100, set.toString());

        ChannelEvent.Network confirmed = nextNetwork(earlyEvents, "root-key", "early");
        assertTrue(confirmed.trusted());
        assertTrue(confirmed.detail().contains("configured"), confirmed.detail());
        assertTrue(earlyDevice.connected());

        nextNetwork(waryEvents, "root-key", "wary"); // its own "no root yet"
        ChannelEvent.Network refused = nextNetwork(waryEvents, "root-key", "wary");
        assertFalse(refused.trusted(), refused.toString());
        long end = System.nanoTime() + AttestedNetwork.WAIT.toNanos();
        while (waryDevice.connected() && System.nanoTime() < end) {
          Thread.sleep(50);
        }
        assertFalse(waryDevice.connected(), "a device refuses another root and disconnects");
      } finally {
        earlyDevice.close();
        waryDevice.close();
      }
    }
  }

  LiaisonDevice device(
      String base, Network.Member member, byte[] root, BlockingQueue<ChannelEvent> events)
      throws Exception {
    LiaisonClient client =
        LiaisonClient.connect(net.vertx, base)
            .withSession(new Session(member.accessToken(), member.refreshToken()));
    LiaisonDevice device =
        new LiaisonDevice(client, root, AttestedNetwork.OPTIONS).onEvent(events::add);
    await(device.registerDevice(member.email()));
    await(device.connect());
    return device;
  }
}
