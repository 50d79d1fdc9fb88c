package org.liaison.server.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.liaison.crypto.Ed25519;
import org.liaison.crypto.attestation.AttestationChain;
import org.liaison.crypto.attestation.TierAttestation;
import org.liaison.crypto.mls.ChannelGroupId;
import org.liaison.crypto.mls.ChannelPolicy;
import org.liaison.crypto.mls.ChannelSession;
import org.liaison.crypto.mls.DeviceIdentity;
import org.liaison.crypto.mls.KeyPackageSecrets;
import org.liaison.crypto.mls.MlsException;
import org.liaison.crypto.mls.Trust;

/**
 * A real server with a network root key, one city with a coordinator who attests devices, and
 * people with registered, attested devices that speak MLS through the crypto module directly (no
 * SDK), so tests can also send what a well-behaved client never would.
 */
public final class ChannelFixture implements AutoCloseable {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder UNB64 = Base64.getUrlDecoder();

  public final TestServer server;

  /** Builds people through the API at the server's current port. */
  public Network network() {
    return new Network(api());
  }

  /** The API at the server's current port (a restart binds a new one). */
  public Api api() {
    return server.api();
  }

  public final Network.Member admin;
  public final Ed25519.KeyPair root = Ed25519.KeyPair.generate();
  public final String cityId;
  public final Network.Member coordinator;
  private final Ed25519.KeyPair coordinatorKey = Ed25519.KeyPair.generate();
  private final TierAttestation coordinatorAttestation;
  private final Map<String, String> organisations = new HashMap<>();

  public ChannelFixture(Path dataDir) {
    this(dataDir, Map.of());
  }

  public ChannelFixture(Path dataDir, Map<String, String> settings) {
    server = TestServer.start(dataDir, settings);

    admin = network().registerAdmin(server.bootstrapCode(), "admin@network.example");
    expect(
        200,
        api()
            .put(
                "/api/v1/network/root-key",
                admin.accessToken(),
                new JsonObject().put("rootKey", b64(root.publicKey()))));
    cityId = network().createCity(admin, "Mostar", "BA");
    for (String sector :
        List.of("municipality", "law-enforcement", "youth-work", "civil-society")) {
      organisations.put(
          sector, network().createOrganisation(admin, cityId, "Mostar " + sector, sector));
    }
    coordinator =
        network()
            .join(
                admin,
                "coordinator@mostar.example",
                "Coordinator",
                cityId,
                organisations.get("municipality"),
                "T3",
                "city-coordinator");
    coordinatorAttestation =
        TierAttestation.issue(
            root,
            TierAttestation.Kind.COORDINATOR,
            coordinator.id(),
            coordinatorKey.publicKey(),
            3,
            "municipality",
            cityId,
            Instant.now().minus(Duration.ofHours(1)),
            Instant.now().plus(Duration.ofDays(365)));
  }

  /** A trust that accepts members attested from this network's root. */
  public Trust trust() {
    return Trust.attestedBy(root.publicKey(), java.time.Clock.systemUTC());
  }

  /** A member of the city with one registered, attested device holding {@code keyPackages}. */
  public Person person(String name, String sector, int tier, int keyPackages) {
    String email = name.toLowerCase().replace(' ', '.') + "@mostar.example";
    Network.Member member =
        network().join(admin, email, name, cityId, organisations.get(sector), "T" + tier, "member");
    Ed25519.KeyPair deviceKey = Ed25519.KeyPair.generate();
    AttestationChain chain = attest(member.id(), deviceKey.publicKey(), tier, sector);
    JsonObject device =
        expect(
                201,
                api()
                    .post(
                        "/api/v1/devices",
                        member.accessToken(),
                        new JsonObject()
                            .put("name", name + "'s laptop")
                            .put("signatureKey", b64(deviceKey.publicKey()))
                            .put("attestation", b64(chain.encode()))))
            .json();
    Person person =
        new Person(
            this,
            name,
            member,
            device.getString("id"),
            deviceKey,
            new DeviceIdentity(member.id(), device.getString("id"), deviceKey, Optional.of(chain)));
    if (keyPackages > 0) {
      person.uploadKeyPackages(keyPackages);
    }
    return person;
  }

  /**
   * Another device of {@code person}'s member (a second laptop, a restored browser): a new session,
   * a new attested device, holding {@code keyPackages}.
   */
  public Person anotherDevice(Person person, int tier, String sector, int keyPackages) {
    Network.Member again = network().login(person.member.email(), person.id());
    Ed25519.KeyPair deviceKey = Ed25519.KeyPair.generate();
    AttestationChain chain = attest(person.id(), deviceKey.publicKey(), tier, sector);
    JsonObject device =
        expect(
                201,
                api()
                    .post(
                        "/api/v1/devices",
                        again.accessToken(),
                        new JsonObject()
                            .put("name", person.name + "'s other laptop")
                            .put("signatureKey", b64(deviceKey.publicKey()))
                            .put("attestation", b64(chain.encode()))))
            .json();
    Person other =
        new Person(
            this,
            person.name,
            again,
            device.getString("id"),
            deviceKey,
            new DeviceIdentity(person.id(), device.getString("id"), deviceKey, Optional.of(chain)));
    if (keyPackages > 0) {
      other.uploadKeyPackages(keyPackages);
    }
    return other;
  }

  /** Root → coordinator → device, as the coordinator's client would sign it. */
  public AttestationChain attest(String userId, byte[] deviceKey, int tier, String sector) {
    return AttestationChain.of(
        coordinatorAttestation,
        TierAttestation.issue(
            coordinatorKey,
            TierAttestation.Kind.DEVICE,
            userId,
            deviceKey,
            tier,
            sector,
            cityId,
            Instant.now().minus(Duration.ofMinutes(5)),
            Instant.now().plus(Duration.ofDays(90))));
  }

  public static ChannelPolicy policy(int minTier, int retentionDays, String... sectors) {
    return new ChannelPolicy(minTier, new TreeSet<>(List.of(sectors)), retentionDays, false);
  }

  public static JsonObject policyJson(ChannelPolicy policy) {
    return new JsonObject()
        .put("minTier", "T" + policy.minTier())
        .put("allowedSectors", new JsonArray(List.copyOf(policy.allowedSectors())))
        .put("retentionDays", policy.retentionDays())
        .put("historyOnJoin", policy.historyOnJoin());
  }

  /** One person: the account, the device and its MLS state per channel. */
  public static final class Person {
    private final ChannelFixture fixture;
    public final String name;
    public final Network.Member member;
    public final String deviceId;
    private final Ed25519.KeyPair deviceKey;
    public final DeviceIdentity identity;
    public final List<KeyPackageSecrets> keyPackages = new ArrayList<>();
    public final Map<String, ChannelSession> sessions = new HashMap<>();

    Person(
        ChannelFixture fixture,
        String name,
        Network.Member member,
        String deviceId,
        Ed25519.KeyPair deviceKey,
        DeviceIdentity identity) {
      this.fixture = fixture;
      this.deviceKey = deviceKey;
      this.name = name;
      this.member = member;
      this.deviceId = deviceId;
      this.identity = identity;
    }

    public String id() {
      return member.id();
    }

    /**
     * This device after a coordinator attested it anew: key packages it makes from now on carry
     * {@code chain} (its earlier ones were withdrawn with the old attestation).
     */
    public Person reattested(AttestationChain chain) {
      Person again =
          new Person(fixture, name, member, deviceId, deviceKey, identity.withAttestation(chain));
      again.token = token;
      return again;
    }

    private String token;

    public String token() {
      return token == null ? member.accessToken() : token;
    }

    /** {@link #signIn()}, then this person, for chaining. */
    public Person signedInAgain() {
      signIn();
      return this;
    }

    /**
     * Signs in again (a new session, e.g. after tokens expired) and binds the new session to this
     * device by signing the session id with the device key.
     */
    public void signIn() {
      Network.Member fresh = fixture.network().login(member.email(), member.id());
      token = fresh.accessToken();
      String payload = token.split("\\.")[1];
      String sessionId =
          new JsonObject(new String(UNB64.decode(payload), java.nio.charset.StandardCharsets.UTF_8))
              .getString("sid");
      byte[] signature =
          deviceKey.sign(
              org.liaison.crypto.Labels.DEVICE_SESSION,
              sessionId.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      expect(
          200,
          fixture
              .api()
              .post(
                  "/api/v1/devices/" + deviceId + "/session",
                  token,
                  new JsonObject().put("signature", b64(signature))));
    }

    public void uploadKeyPackages(int count) {
      JsonArray packages = new JsonArray();
      for (int i = 0; i < count; i++) {
        KeyPackageSecrets secrets = ChannelSession.newKeyPackage(identity);
        keyPackages.add(secrets);
        packages.add(b64(secrets.publicBytes()));
      }
      expect(
          200,
          fixture
              .api()
              .post(
                  "/api/v1/key-packages", token(), new JsonObject().put("keyPackages", packages)));
    }

    /** Creates a channel with this device alone in it; returns the channel id. */
    public String createChannel(ChannelPolicy policy, String kind) {
      ChannelGroupId groupId = ChannelGroupId.create(policy);
      ChannelSession session = ChannelSession.create(identity, groupId.encode(), fixture.trust());
      expect(
          201,
          fixture
              .api()
              .post(
                  "/api/v1/channels",
                  token(),
                  new JsonObject()
                      .put("groupId", b64(groupId.encode()))
                      .put("kind", kind)
                      .put("policy", policyJson(policy))
                      .put("groupInfo", b64(session.groupInfo()))));
      sessions.put(groupId.channelIdHex(), session);
      return groupId.channelIdHex();
    }

    /** Claims key packages of these users from the directory. */
    public List<byte[]> claim(String... userIds) {
      JsonObject claimed =
          expect(
                  200,
                  fixture
                      .api()
                      .post(
                          "/api/v1/key-packages/claim",
                          token(),
                          new JsonObject().put("userIds", new JsonArray(List.of(userIds)))))
              .json();
      List<byte[]> packages = new ArrayList<>();
      for (Object item : claimed.getJsonArray("items")) {
        packages.add(unb64(((JsonObject) item).getString("keyPackage")));
      }
      return packages;
    }

    /** Posts a commit made from this person's state; adopts it when the server accepts it. */
    public Api.Response commit(String channelId, ChannelSession.PendingCommit pending) {
      ChannelSession current = sessions.get(channelId);
      JsonObject body =
          new JsonObject()
              .put("epoch", current.epoch())
              .put("commit", b64(pending.commit()))
              .put("groupInfo", b64(pending.next().groupInfo()));
      pending.welcome().ifPresent(w -> body.put("welcome", b64(w)));
      Api.Response response =
          fixture.api().post("/api/v1/channels/" + channelId + "/commits", token(), body);
      if (response.status() == 201) {
        sessions.put(channelId, pending.next());
      }
      return response;
    }

    /** Adds these users' devices (claimed from the directory); expects the server to accept. */
    public void add(String channelId, Person... people) {
      List<String> ids = java.util.Arrays.stream(people).map(Person::id).toList();
      List<byte[]> packages = claim(ids.toArray(String[]::new));
      expect(201, commit(channelId, sessions.get(channelId).add(packages)));
      for (Person p : people) {
        p.joinFromWelcome(channelId);
      }
    }

    /** Joins from the Welcome waiting for this device. */
    public void joinFromWelcome(String channelId) {
      JsonArray welcomes =
          expect(200, fixture.api().get("/api/v1/welcomes", token())).json().getJsonArray("items");
      for (Object item : welcomes) {
        JsonObject welcome = (JsonObject) item;
        if (!welcome.getString("channelId").equals(channelId)) {
          continue;
        }
        byte[] bytes = unb64(welcome.getString("welcome"));
        for (KeyPackageSecrets secrets : keyPackages) {
          try {
            sessions.put(channelId, ChannelSession.join(identity, secrets, bytes, fixture.trust()));
            return;
          } catch (MlsException notThisOne) {
            // the Welcome names one of our key packages; try the next
          }
        }
      }
      throw new AssertionError(name + " has no usable Welcome for " + channelId);
    }

    public Api.Response send(String channelId, String clientMessageId, String text) {
      return send(
          channelId, clientMessageId, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Encrypts {@code plaintext} for the current epoch and posts it over HTTP. */
    public Api.Response send(String channelId, String clientMessageId, byte[] plaintext) {
      ChannelSession session = sessions.get(channelId);
      return fixture
          .api()
          .post(
              "/api/v1/channels/" + channelId + "/messages",
              token(),
              new JsonObject()
                  .put("epoch", session.epoch())
                  .put("clientMessageId", clientMessageId)
                  .put("ciphertext", b64(session.protect(new byte[0], plaintext))));
    }

    public JsonObject read(String channelId, long after, int limit) {
      return expect(
              200,
              fixture
                  .api()
                  .get(
                      "/api/v1/channels/"
                          + channelId
                          + "/messages?after="
                          + after
                          + "&limit="
                          + limit,
                      token()))
          .json();
    }

    /** Processes log entries in order, as a client does; returns the texts of messages. */
    public List<String> process(String channelId, JsonArray entries) {
      List<String> texts = new ArrayList<>();
      for (Object item : entries) {
        JsonObject entry = (JsonObject) item;
        ChannelSession session = sessions.get(channelId);
        if ("commit".equals(entry.getString("kind"))) {
          if (entry.getLong("epoch") == session.epoch()) {
            sessions.put(channelId, session.handleCommit(unb64(entry.getString("commit"))));
          }
        } else {
          texts.add(
              new String(
                  session.unprotect(unb64(entry.getString("ciphertext"))).plaintext(),
                  java.nio.charset.StandardCharsets.UTF_8));
        }
      }
      return texts;
    }
  }

  public static String b64(byte[] bytes) {
    return B64.encodeToString(bytes);
  }

  public static byte[] unb64(String text) {
    return UNB64.decode(text);
  }

  public static Api.Response expect(int status, Api.Response response) {
    assertEquals(status, response.status(), response.toString());
    return response;
  }

  @Override
  public void close() {
    server.close();
  }
}
