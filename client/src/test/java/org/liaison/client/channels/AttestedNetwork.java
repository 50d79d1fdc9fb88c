package org.liaison.client.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.liaison.client.LiaisonClient;
import org.liaison.crypto.Ed25519;
import org.liaison.crypto.attestation.AttestationChain;
import org.liaison.crypto.attestation.TierAttestation;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.Network;
import org.liaison.server.testing.TestServer;

/**
 * A real server with a network root key and the people of the channel scenarios, each with an
 * attested device: the admin sets the root key; each city's coordinator holds a coordinator
 * attestation from the root; each device gets a device attestation from its city's coordinator
 * (root → coordinator → device), attached by its owner after registering.
 */
public final class AttestedNetwork implements AutoCloseable {
  public static final Duration WAIT = Duration.ofSeconds(30);

  /** Devices authenticate their realtime socket with the Authorization header (the default). */
  public static final LiaisonDevice.Options OPTIONS = LiaisonDevice.Options.defaults();

  public final TestServer server;
  public final String base;
  public final Vertx vertx = Vertx.vertx();
  public final Network network;
  public final Network.Member admin;
  public final Ed25519.KeyPair root = Ed25519.KeyPair.generate();
  public final Map<String, City> cities = new HashMap<>();

  /** A city, its coordinator's attestation key and the organisations by sector. */
  public record City(
      String id,
      Network.Member coordinator,
      Ed25519.KeyPair coordinatorKey,
      TierAttestation coordinatorAttestation,
      Map<String, String> organisations) {}

  /** A person with a signed-in client and an attested, connected device. */
  public record Person(
      String name,
      Network.Member member,
      int tier,
      String sector,
      City city,
      LiaisonClient client,
      LiaisonDevice device,
      BlockingQueue<ChannelMessage> messages,
      BlockingQueue<ChannelEvent> events) {
    public String id() {
      return member.id();
    }

    /** The next message of this channel (other channels' are skipped). */
    public ChannelMessage nextMessage(String channelId) throws InterruptedException {
      ChannelMessage m = pollMessage(channelId, WAIT);
      if (m == null) {
        throw new AssertionError(name + " received no message in " + WAIT);
      }
      return m;
    }

    public ChannelMessage pollMessage(String channelId, Duration wait) throws InterruptedException {
      long end = System.nanoTime() + wait.toNanos();
      while (System.nanoTime() < end) {
        ChannelMessage m = messages.poll(end - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (m != null && m.channelId().equals(channelId)) {
          return m;
        }
      }
      return null;
    }

    /** The next event of this type and channel. */
    public <E extends ChannelEvent> E nextEvent(Class<E> type, String channelId)
        throws InterruptedException {
      long end = System.nanoTime() + WAIT.toNanos();
      while (System.nanoTime() < end) {
        ChannelEvent e = events.poll(end - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (type.isInstance(e) && e.channelId().equals(channelId)) {
          return type.cast(e);
        }
      }
      throw new AssertionError(
          name + " saw no " + type.getSimpleName() + " for " + channelId + " in " + WAIT);
    }
  }

  public AttestedNetwork(Path dataDir) {
    this(dataDir, Map.of());
  }

  public AttestedNetwork(Path dataDir, Map<String, String> settings) {
    server = TestServer.start(dataDir, settings);
    base = "http://127.0.0.1:" + server.server().port();
    network = new Network(server.api());
    admin = network.registerAdmin(server.bootstrapCode(), "admin@network.example");
    Api.Response set =
        server
            .api()
            .put(
                "/api/v1/network/root-key",
                admin.accessToken(),
                new JsonObject().put("rootKey", LiaisonClient.b64(root.publicKey())));
    assertEquals(200, set.status() / 100 * 100, set.toString());
  }

  /** A city with a municipal coordinator (T3) attested by the root for that city. */
  public City city(String name, String country) {
    String cityId = network.createCity(admin, name, country);
    Map<String, String> orgs = new HashMap<>();
    for (String sector :
        new String[] {"municipality", "law-enforcement", "youth-work", "civil-society"}) {
      orgs.put(sector, network.createOrganisation(admin, cityId, name + " " + sector, sector));
    }
    Network.Member coordinator =
        network.join(
            admin,
            "coordinator@" + name.toLowerCase() + ".example",
            "Coordinator " + name,
            cityId,
            orgs.get("municipality"),
            "T3",
            "city-coordinator");
    Ed25519.KeyPair key = Ed25519.KeyPair.generate();
    TierAttestation attestation =
        TierAttestation.issue(
            root,
            TierAttestation.Kind.COORDINATOR,
            coordinator.id(),
            key.publicKey(),
            3,
            "municipality",
            cityId,
            Instant.now().minus(Duration.ofHours(1)),
            Instant.now().plus(Duration.ofDays(30)));
    City city = new City(cityId, coordinator, key, attestation, orgs);
    cities.put(name, city);
    return city;
  }

  /** Invites and registers someone, then gives them an attested device with key packages. */
  public Person person(String name, City city, String sector, int tier) throws Exception {
    Network.Member member =
        network.join(
            admin,
            email(name, city),
            name,
            city.id(),
            city.organisations().get(sector),
            "T" + tier,
            "member");
    return device(name, member, city, sector, tier);
  }

  public static String email(String name, City city) {
    return name.toLowerCase().replace(' ', '.') + "@" + city.id() + ".example";
  }

  /** The city's coordinator as a channel member (T3, municipality). */
  public Person coordinator(String name, City city) throws Exception {
    return device(name, city.coordinator(), city, "municipality", 3);
  }

  public Person device(String name, Network.Member member, City city, String sector, int tier)
      throws Exception {
    LiaisonClient client =
        LiaisonClient.connect(vertx, base)
            .withSession(
                new org.liaison.client.Session(member.accessToken(), member.refreshToken()));
    BlockingQueue<ChannelMessage> messages = new LinkedBlockingQueue<>();
    BlockingQueue<ChannelEvent> events = new LinkedBlockingQueue<>();
    LiaisonDevice device =
        new LiaisonDevice(client, root.publicKey(), OPTIONS)
            .onMessage(messages::add)
            .onEvent(events::add);
    DeviceKeys keys = await(device.registerDevice(name + "'s device"));
    await(device.attachAttestation(attest(city, keys, tier, sector)));
    await(device.uploadKeyPackages(5));
    await(device.connect());
    return new Person(name, member, tier, sector, city, client, device, messages, events);
  }

  /** root → coordinator of the city → this device key, at this tier and sector. */
  public AttestationChain attest(City city, DeviceKeys keys, int tier, String sector) {
    TierAttestation device =
        TierAttestation.issue(
            city.coordinatorKey(),
            TierAttestation.Kind.DEVICE,
            keys.userId(),
            keys.signatureKey().publicKey(),
            tier,
            sector,
            city.id(),
            Instant.now().minus(Duration.ofHours(1)),
            Instant.now().plus(Duration.ofDays(30)));
    return AttestationChain.of(city.coordinatorAttestation(), device);
  }

  public static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  @Override
  public void close() {
    vertx.close().toCompletionStage().toCompletableFuture().join();
    server.close();
  }
}
