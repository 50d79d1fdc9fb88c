package org.liaison.server.broadcasts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.liaison.crypto.Ed25519;
import org.liaison.crypto.attestation.AttestationChain;
import org.liaison.crypto.attestation.TierAttestation;
import org.liaison.crypto.broadcasts.BroadcastAck;
import org.liaison.crypto.broadcasts.BroadcastContent;
import org.liaison.crypto.broadcasts.BroadcastHeader;
import org.liaison.crypto.broadcasts.BroadcastKeyStatement;
import org.liaison.crypto.broadcasts.BroadcastWrap;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.Network;
import org.liaison.server.testing.TestServer;

/**
 * A real server with a network root, three cities with a coordinator each (coordinator keys signed
 * through the API, as the root holder's browser does), a network admin with a signed network-wide
 * coordinator key, and people with attested devices that publish broadcast keys. Builds real signed
 * headers, sealed content, wraps and acks with the crypto module, as a client would.
 */
final class BroadcastWorld implements AutoCloseable {
  static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  static final List<String> SECTORS = List.of("youth-work", "law-enforcement", "municipality");

  final TestServer server;
  final Ed25519.KeyPair root = Ed25519.KeyPair.generate();
  final Network.Member adminMember;
  final List<String> cities = new ArrayList<>();
  final Map<String, Map<String, String>> organisations = new HashMap<>();
  final Map<String, Ed25519.KeyPair> coordinatorKeys = new HashMap<>();
  final Map<String, TierAttestation> coordinatorLinks = new HashMap<>();

  /** Each city's coordinator, with a device and a signed coordinator key. */
  final Map<String, Person> coordinators = new HashMap<>();

  final Person admin;
  private int people;

  /** One device of someone: its keys, and the broadcast key it published (if it did). */
  static final class Person {
    final Network.Member member;
    final String cityId;
    final String deviceId;
    final Ed25519.KeyPair deviceKey;
    final AttestationChain chain;
    BroadcastWrap.KeyPair broadcastKey;
    TierAttestation coordinator;
    String token;

    Person(
        Network.Member member,
        String cityId,
        String deviceId,
        Ed25519.KeyPair deviceKey,
        AttestationChain chain,
        String token) {
      this.member = member;
      this.cityId = cityId;
      this.deviceId = deviceId;
      this.deviceKey = deviceKey;
      this.chain = chain;
      this.token = token;
    }

    String id() {
      return member.id();
    }
  }

  BroadcastWorld(Path dataDir) {
    this(dataDir, Map.of());
  }

  BroadcastWorld(Path dataDir, Map<String, String> settings) {
    server = TestServer.start(dataDir, settings);
    adminMember = network().registerAdmin(server.bootstrapCode(), "admin@network.example");
    expect(
        200,
        api()
            .put(
                "/api/v1/network/root-key",
                adminMember.accessToken(),
                new JsonObject().put("rootKey", b64(root.publicKey()))));
    // The admin's network-wide coordinator key, signed as the root holder would.
    Ed25519.KeyPair adminKey = Ed25519.KeyPair.generate();
    TierAttestation adminLink = signCoordinatorKey(adminMember, adminKey, 3, "network-staff", "");
    coordinatorKeys.put("", adminKey);
    coordinatorLinks.put("", adminLink);
    admin = device(adminMember, null, adminMember.accessToken(), 3, "network-staff", true);
    admin.coordinator = adminLink;
    for (String name : List.of("Skopje", "Sarajevo", "Tirana")) {
      String city = network().createCity(adminMember, name, "MK");
      cities.add(city);
      Map<String, String> orgs = new HashMap<>();
      for (String sector : SECTORS) {
        orgs.put(
            sector, network().createOrganisation(adminMember, city, name + " " + sector, sector));
      }
      organisations.put(city, orgs);
      Network.Member member =
          network()
              .join(
                  adminMember,
                  "coordinator@" + name.toLowerCase() + ".example",
                  "Coordinator " + name,
                  city,
                  orgs.get("municipality"),
                  "T3",
                  "city-coordinator");
      Ed25519.KeyPair key = Ed25519.KeyPair.generate();
      TierAttestation link = signCoordinatorKey(member, key, 3, "municipality", city);
      coordinatorKeys.put(city, key);
      coordinatorLinks.put(city, link);
      Person coordinator = device(member, city, member.accessToken(), 3, "municipality", true);
      coordinator.coordinator = link;
      coordinators.put(city, coordinator);
    }
  }

  Api api() {
    return server.api();
  }

  Network network() {
    return new Network(api());
  }

  private TierAttestation signCoordinatorKey(
      Network.Member who, Ed25519.KeyPair key, int tier, String sector, String scope) {
    expect(
        200,
        api()
            .put(
                "/api/v1/coordinator-keys/mine",
                who.accessToken(),
                new JsonObject().put("publicKey", b64(key.publicKey()))));
    TierAttestation link =
        TierAttestation.issue(
            root,
            TierAttestation.Kind.COORDINATOR,
            who.id(),
            key.publicKey(),
            tier,
            sector,
            scope,
            Instant.now().minus(Duration.ofHours(1)),
            Instant.now().plus(Duration.ofDays(365)));
    expect(
        200,
        api()
            .put(
                "/api/v1/coordinator-keys/" + who.id() + "/attestation",
                adminMember.accessToken(),
                new JsonObject().put("attestation", b64(link.encode()))));
    return link;
  }

  /**
   * A member of {@code city} with one attested device, which publishes a broadcast key if asked.
   */
  Person person(String city, String sector, int tier, boolean withBroadcastKey) {
    people++;
    Network.Member member =
        network()
            .join(
                adminMember,
                "person" + people + "@city.example",
                "Person " + people,
                city,
                organisations.get(city).get(sector),
                "T" + tier,
                "member");
    return device(member, city, member.accessToken(), tier, sector, withBroadcastKey);
  }

  /** Another attested device of {@code person} (a new session). */
  Person anotherDevice(Person person, int tier, String sector, boolean withBroadcastKey) {
    Network.Member again = network().login(person.member.email(), person.id());
    return device(again, person.cityId, again.accessToken(), tier, sector, withBroadcastKey);
  }

  /** Registers an attested device for the member's session (chain from the city's coordinator). */
  Person device(
      Network.Member member,
      String city,
      String token,
      int tier,
      String sector,
      boolean withBroadcastKey) {
    String scope = city == null ? "" : city;
    Ed25519.KeyPair deviceKey = Ed25519.KeyPair.generate();
    AttestationChain chain =
        AttestationChain.of(
            coordinatorLinks.get(scope),
            TierAttestation.issue(
                coordinatorKeys.get(scope),
                TierAttestation.Kind.DEVICE,
                member.id(),
                deviceKey.publicKey(),
                tier,
                sector,
                scope,
                Instant.now().minus(Duration.ofMinutes(5)),
                Instant.now().plus(Duration.ofDays(90))));
    JsonObject device =
        expect(
                201,
                api()
                    .post(
                        "/api/v1/devices",
                        token,
                        new JsonObject()
                            .put("name", "laptop " + deviceKey.publicKey()[0])
                            .put("signatureKey", b64(deviceKey.publicKey()))
                            .put("attestation", b64(chain.encode()))))
            .json();
    Person person = new Person(member, city, device.getString("id"), deviceKey, chain, token);
    if (withBroadcastKey) {
      publishBroadcastKey(person);
    }
    return person;
  }

  Api.Response publishBroadcastKey(Person person) {
    person.broadcastKey = BroadcastWrap.generateKeyPair();
    long validFrom = System.currentTimeMillis();
    byte[] signature =
        new BroadcastKeyStatement(
                person.deviceId, person.id(), person.broadcastKey.publicKey(), validFrom)
            .sign(person.deviceKey);
    return expect(
        200,
        api()
            .put(
                "/api/v1/devices/" + person.deviceId + "/broadcast-key",
                person.token,
                new JsonObject()
                    .put("publicKey", b64(person.broadcastKey.publicKey()))
                    .put("validFrom", validFrom)
                    .put("signature", b64(signature))));
  }

  // ---- broadcasts as a client builds them ---------------------------------------------------

  static JsonObject audience(List<String> cities, List<String> sectors, String minTier) {
    return new JsonObject()
        .put("cities", new JsonArray(cities))
        .put("sectors", new JsonArray(sectors))
        .put("minTier", minTier);
  }

  /** A signed, sealed broadcast ready to send, and what went into it. */
  static final class Draft {
    final String id;
    final BroadcastHeader header;
    final byte[] contentKey;
    JsonObject body;

    Draft(String id, BroadcastHeader header, byte[] contentKey, JsonObject body) {
      this.id = id;
      this.header = header;
      this.contentKey = contentKey;
      this.body = body;
    }
  }

  static final String TITLE = "Heat warning for the youth centres";
  static final String TEXT = "Please close the outdoor programme between noon and four.";

  /** Seals content, signs the header and wraps to every device the recipients listing names. */
  Draft draft(Person author, List<String> cities, List<String> sectors, int minTier) {
    return draft(author, cities, sectors, minTier, Optional.empty(), Optional.empty());
  }

  Draft draft(
      Person author,
      List<String> cities,
      List<String> sectors,
      int minTier,
      Optional<String> resendOf,
      Optional<String> only) {
    byte[] idBytes = new byte[16];
    new SecureRandom().nextBytes(idBytes);
    String id = HexFormat.of().formatHex(idBytes);
    byte[] contentKey = BroadcastContent.newContentKey();
    byte[] json =
        new JsonObject()
            .put("title", TITLE)
            .put("body", TEXT)
            .put("urgency", "urgent")
            .put("replies", true)
            .encode()
            .getBytes(StandardCharsets.UTF_8);
    byte[] content = BroadcastContent.seal(contentKey, id, author.deviceId, json);
    BroadcastHeader header =
        new BroadcastHeader(
            idBytes,
            author.id(),
            author.deviceId,
            new ArrayList<>(new TreeSet<>(cities)),
            new ArrayList<>(new TreeSet<>(sectors)),
            minTier,
            System.currentTimeMillis(),
            BroadcastContent.hash(content),
            resendOf.map(r -> HexFormat.of().parseHex(r)).orElse(new byte[0]));
    JsonObject audience = audience(cities, sectors, "T" + minTier);
    JsonObject listing = new JsonObject().put("audience", audience);
    resendOf.ifPresent(r -> listing.put("resendOf", r));
    only.ifPresent(o -> listing.put("only", o));
    JsonArray wraps = new JsonArray();
    for (JsonObject device : recipients(author, listing)) {
      wraps.add(wrap(id, device, contentKey));
    }
    JsonObject body =
        new JsonObject()
            .put("id", id)
            .put("header", b64(header.encode()))
            .put("signature", b64(header.sign(author.deviceKey)))
            .put(
                "authorProof",
                new JsonObject()
                    .put("chain", b64(author.chain.encode()))
                    .put("coordinator", b64(author.coordinator.encode())))
            .put("content", b64(content))
            .put("wraps", wraps);
    only.ifPresent(o -> body.put("only", o));
    return new Draft(id, header, contentKey, body);
  }

  static JsonObject wrap(String id, JsonObject device, byte[] contentKey) {
    byte[] wrap =
        BroadcastWrap.wrap(
            Base64.getUrlDecoder()
                .decode(device.getJsonObject("broadcastKey").getString("publicKey")),
            id,
            device.getString("deviceId"),
            contentKey);
    return new JsonObject()
        .put("deviceId", device.getString("deviceId"))
        .put("enc", b64(java.util.Arrays.copyOfRange(wrap, 0, 32)))
        .put("key", b64(java.util.Arrays.copyOfRange(wrap, 32, 80)));
  }

  /** Every page of the recipients listing. */
  List<JsonObject> recipients(Person author, JsonObject listing) {
    List<JsonObject> all = new ArrayList<>();
    int page = 0;
    while (true) {
      JsonObject answer =
          expect(
                  200,
                  api()
                      .post(
                          "/api/v1/broadcasts/recipients",
                          author.token,
                          listing.copy().put("page", page)))
              .json();
      answer.getJsonArray("items").forEach(i -> all.add((JsonObject) i));
      if (answer.getValue("next") == null) {
        return all;
      }
      page = answer.getInteger("next");
    }
  }

  Api.Response send(Person author, Draft draft) {
    return api().post("/api/v1/broadcasts", author.token, draft.body);
  }

  /** A signed acknowledgement body from this device. */
  static JsonObject ack(Person person, Draft draft) {
    long at = System.currentTimeMillis();
    byte[] signature =
        new BroadcastAck(
                draft.header.broadcastId(),
                draft.header.contentHash(),
                person.id(),
                person.deviceId,
                at)
            .sign(person.deviceKey);
    return new JsonObject().put("ackedAt", at).put("signature", b64(signature));
  }

  Api.Response acknowledge(Person person, Draft draft) {
    return api().post("/api/v1/broadcasts/" + draft.id + "/acks", person.token, ack(person, draft));
  }

  JsonObject status(Person author, String id) {
    return expect(200, api().get("/api/v1/broadcasts/" + id + "/status", author.token)).json();
  }

  JsonArray inbox(Person person, long after) {
    return expect(200, api().get("/api/v1/broadcasts?after=" + after, person.token))
        .json()
        .getJsonArray("items");
  }

  static String b64(byte[] bytes) {
    return B64.encodeToString(bytes);
  }

  static Api.Response expect(int status, Api.Response response) {
    assertEquals(status, response.status(), response.toString());
    return response;
  }

  @Override
  public void close() {
    server.close();
  }
}
