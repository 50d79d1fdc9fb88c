package org.liaison.client.load;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.liaison.crypto.Ed25519;
import org.liaison.crypto.attestation.AttestationChain;
import org.liaison.crypto.attestation.TierAttestation;
import org.liaison.crypto.mls.ChannelGroupId;
import org.liaison.crypto.mls.ChannelPolicy;
import org.liaison.crypto.mls.ChannelSession;
import org.liaison.crypto.mls.DeviceIdentity;
import org.liaison.crypto.mls.KeyPackageSecrets;
import org.liaison.crypto.mls.Trust;

/**
 * Builds a load network through the public API with real crypto, as {@code ChannelFixture} does in
 * the server's tests: the first admin from the bootstrap invitation, the network root key, one
 * city, a coordinator attestation, then {@code n} members (invited, registered, signed in, one
 * attested device each with one key package) and {@code n/m} channels of {@code m} members, each
 * created by its first member who claims the others' key packages and commits one Add. Members then
 * fetch their Welcome and join (their state is dropped: they do not decrypt during the timed
 * phase).
 */
final class LiaisonNetwork {
  private static final String PASSWORD = "load-test password 0123456789";
  private static final String SECTOR = "civil-society";

  /** One member's device. */
  record Device(
      int index,
      String userId,
      String deviceId,
      String token,
      DeviceIdentity identity,
      KeyPackageSecrets keyPackage) {}

  /** One channel: {@code members.get(0)} created it and is its sender. */
  static final class Channel {
    final int index;
    final String id;
    final List<Device> members;
    ChannelSession senderSession;

    Channel(int index, String id, List<Device> members, ChannelSession senderSession) {
      this.index = index;
      this.id = id;
      this.members = members;
      this.senderSession = senderSession;
    }
  }

  final List<Device> devices;
  final List<Channel> channels;
  final Trust trust;

  private LiaisonNetwork(List<Device> devices, List<Channel> channels, Trust trust) {
    this.devices = devices;
    this.channels = channels;
    this.trust = trust;
  }

  /** The bootstrap code from {@code bootstrap-invite.txt} (line {@code code: ...}). */
  static String bootstrapCode(Path dataDir) {
    try {
      for (String line : Files.readAllLines(dataDir.resolve("bootstrap-invite.txt"))) {
        if (line.startsWith("code:")) {
          return line.substring(5).trim();
        }
      }
    } catch (IOException e) {
      throw new LoadException("cannot read the bootstrap invitation in " + dataDir + ": " + e);
    }
    throw new LoadException("no 'code:' line in " + dataDir.resolve("bootstrap-invite.txt"));
  }

  private static final class Builder {
    final Api api;
    final int concurrency;
    final Ed25519.KeyPair root = Ed25519.KeyPair.generate();
    final Ed25519.KeyPair coordinatorKey = Ed25519.KeyPair.generate();
    final Trust trust = Trust.attestedBy(root.publicKey(), Clock.systemUTC());
    final ChannelPolicy policy =
        new ChannelPolicy(1, new java.util.TreeSet<>(), 30, false); // T1+, any sector, 30 days
    String adminToken;
    String cityId;
    String orgId;
    TierAttestation coordinatorAttestation;

    Builder(Api api, int concurrency) {
      this.api = api;
      this.concurrency = concurrency;
    }

    Future<String> register(String code, String email, String name) {
      return api.post(
              "/auth/register",
              null,
              new JsonObject()
                  .put("inviteCode", code)
                  .put("email", email)
                  .put("displayName", name)
                  .put("password", PASSWORD),
              201)
          .map(b -> b.getString("id"));
    }

    Future<String> login(String email) {
      return api.post(
              "/auth/login",
              null,
              new JsonObject().put("email", email).put("password", PASSWORD),
              200)
          .map(b -> b.getString("accessToken"));
    }

    Future<String> invite(String email, String tier, String role) {
      return api.post(
              "/invitations",
              adminToken,
              new JsonObject()
                  .put("email", email)
                  .put("cityId", cityId)
                  .put("organisationId", orgId)
                  .put("tier", tier)
                  .put("role", role),
              201)
          .map(b -> b.getString("code"));
    }

    Future<Void> network(String bootstrapCode, String tag) {
      String adminEmail = "admin-" + tag + "@load.example";
      return register(bootstrapCode, adminEmail, "Load Admin")
          .compose(id -> login(adminEmail))
          .compose(
              token -> {
                adminToken = token;
                return api.put(
                    "/network/root-key",
                    adminToken,
                    new JsonObject().put("rootKey", Api.b64(root.publicKey())),
                    200);
              })
          .compose(
              v ->
                  api.post(
                      "/cities",
                      adminToken,
                      new JsonObject().put("name", "Loadtown " + tag).put("country", "BA"),
                      201))
          .compose(
              city -> {
                cityId = city.getString("id");
                return api.post(
                    "/organisations",
                    adminToken,
                    new JsonObject()
                        .put("cityId", cityId)
                        .put("name", "Load " + SECTOR)
                        .put("sector", SECTOR),
                    201);
              })
          .compose(
              org -> {
                orgId = org.getString("id");
                String email = "coordinator-" + tag + "@load.example";
                return invite(email, "T3", "city-coordinator")
                    .compose(code -> register(code, email, "Load Coordinator"));
              })
          .map(
              coordinatorId -> {
                coordinatorAttestation =
                    TierAttestation.issue(
                        root,
                        TierAttestation.Kind.COORDINATOR,
                        coordinatorId,
                        coordinatorKey.publicKey(),
                        3,
                        SECTOR,
                        cityId,
                        Instant.now().minus(Duration.ofHours(1)),
                        Instant.now().plus(Duration.ofDays(30)));
                return null;
              });
    }

    /** Invite, register, sign in, register an attested device, upload one key package. */
    Future<Device> member(int i, String tag) {
      String email = "m" + i + "-" + tag + "@load.example";
      return invite(email, "T1", "member")
          .compose(code -> register(code, email, "Member " + i))
          .compose(userId -> login(email).map(token -> new String[] {userId, token}))
          .compose(
              ut -> {
                String userId = ut[0];
                String token = ut[1];
                Ed25519.KeyPair key = Ed25519.KeyPair.generate();
                AttestationChain chain =
                    AttestationChain.of(
                        coordinatorAttestation,
                        TierAttestation.issue(
                            coordinatorKey,
                            TierAttestation.Kind.DEVICE,
                            userId,
                            key.publicKey(),
                            1,
                            SECTOR,
                            cityId,
                            Instant.now().minus(Duration.ofMinutes(5)),
                            Instant.now().plus(Duration.ofDays(30))));
                return api.post(
                        "/devices",
                        token,
                        new JsonObject()
                            .put("name", "load device " + i)
                            .put("signatureKey", Api.b64(key.publicKey()))
                            .put("attestation", Api.b64(chain.encode())),
                        201)
                    .compose(
                        device -> {
                          String deviceId = device.getString("id");
                          DeviceIdentity identity =
                              new DeviceIdentity(userId, deviceId, key, Optional.of(chain));
                          KeyPackageSecrets kp = ChannelSession.newKeyPackage(identity);
                          return api.post(
                                  "/key-packages",
                                  token,
                                  new JsonObject()
                                      .put(
                                          "keyPackages",
                                          new JsonArray().add(Api.b64(kp.publicBytes()))),
                                  200)
                              .map(v -> new Device(i, userId, deviceId, token, identity, kp));
                        });
              });
    }

    /** The first member creates the channel, claims the others' packages, commits one Add. */
    Future<Channel> channel(int c, List<Device> members) {
      Device creator = members.get(0);
      ChannelGroupId groupId = ChannelGroupId.create(policy);
      ChannelSession created = ChannelSession.create(creator.identity(), groupId.encode(), trust);
      String channelId = groupId.channelIdHex();
      JsonArray others = new JsonArray();
      members.subList(1, members.size()).forEach(d -> others.add(d.userId()));
      return api.post(
              "/channels",
              creator.token(),
              new JsonObject()
                  .put("groupId", Api.b64(groupId.encode()))
                  .put("kind", "team")
                  .put("policy", policyJson())
                  .put("groupInfo", Api.b64(created.groupInfo())),
              201)
          .compose(
              v ->
                  others.isEmpty()
                      ? Future.succeededFuture(new JsonObject().put("items", new JsonArray()))
                      : api.post(
                          "/key-packages/claim",
                          creator.token(),
                          new JsonObject().put("userIds", others),
                          200))
          .compose(
              claimed -> {
                List<byte[]> packages = new ArrayList<>();
                for (Object item : claimed.getJsonArray("items")) {
                  packages.add(Api.unb64(((JsonObject) item).getString("keyPackage")));
                }
                if (packages.size() != others.size()) {
                  throw new LoadException(
                      "claimed " + packages.size() + " key packages of " + others.size());
                }
                if (packages.isEmpty()) {
                  return Future.succeededFuture(new Channel(c, channelId, members, created));
                }
                ChannelSession.PendingCommit pending = created.add(packages);
                JsonObject body =
                    new JsonObject()
                        .put("epoch", created.epoch())
                        .put("commit", Api.b64(pending.commit()))
                        .put("groupInfo", Api.b64(pending.next().groupInfo()));
                pending.welcome().ifPresent(w -> body.put("welcome", Api.b64(w)));
                return api.post("/channels/" + channelId + "/commits", creator.token(), body, 201)
                    .map(r -> new Channel(c, channelId, members, pending.next()));
              });
    }

    JsonObject policyJson() {
      return new JsonObject()
          .put("minTier", "T" + policy.minTier())
          .put("allowedSectors", new JsonArray(List.copyOf(policy.allowedSectors())))
          .put("retentionDays", policy.retentionDays())
          .put("historyOnJoin", policy.historyOnJoin());
    }

    /** Fetches this device's Welcome for the channel and joins from it (state dropped). */
    Future<Void> join(Device d, String channelId) {
      return api.get("/welcomes", d.token(), 200)
          .map(
              w -> {
                for (Object item : w.getJsonArray("items")) {
                  JsonObject welcome = (JsonObject) item;
                  if (welcome.getString("channelId").equals(channelId)) {
                    ChannelSession joined =
                        ChannelSession.join(
                            d.identity(),
                            d.keyPackage(),
                            Api.unb64(welcome.getString("welcome")),
                            trust);
                    if (joined.members().size() < 2) {
                      throw new LoadException("joined a channel of " + joined.members().size());
                    }
                    return null;
                  }
                }
                throw new LoadException("no Welcome for device " + d.deviceId());
              });
    }
  }

  /**
   * Builds the network; {@code n} must be a multiple of {@code m}. Prints how long each step took
   * (the setup figures are also worth knowing).
   */
  static Future<LiaisonNetwork> build(
      Api api, String bootstrapCode, int n, int m, int concurrency, boolean join) {
    if (n % m != 0) {
      throw new LoadException("n must be a multiple of m");
    }
    Builder b = new Builder(api, concurrency);
    String tag = Long.toString(System.currentTimeMillis() % 1_000_000, 36);
    long t0 = System.nanoTime();
    long[] marks = new long[4];
    @SuppressWarnings("unchecked")
    List<Device>[] devices = new List[1];
    return b.network(bootstrapCode, tag)
        .compose(v -> Bounded.run("members", n, concurrency, i -> b.member(i, tag)))
        .compose(
            list -> {
              devices[0] = list;
              marks[0] = System.nanoTime();
              Report.out(
                  "setup: %d members with an attested device and a key package in %.1f s (%.0f/s)",
                  n, Report.seconds(marks[0] - t0), n / Report.seconds(marks[0] - t0));
              return Bounded.run(
                  "channels",
                  n / m,
                  concurrency,
                  c -> b.channel(c, list.subList(c * m, (c + 1) * m)));
            })
        .compose(
            channels -> {
              marks[1] = System.nanoTime();
              Report.out(
                  "setup: %d channels of %d created, %d claimed + added in one commit each, in %.1f s (%.0f/s)",
                  channels.size(),
                  m,
                  m - 1,
                  Report.seconds(marks[1] - marks[0]),
                  channels.size() / Report.seconds(marks[1] - marks[0]));
              if (!join) {
                Report.out("setup: members did not join from their Welcomes (--no-join)");
                return Future.succeededFuture(new LiaisonNetwork(devices[0], channels, b.trust));
              }
              AtomicInteger joined = new AtomicInteger();
              int joiners = n - n / m;
              return Bounded.run(
                      "joins",
                      joiners,
                      concurrency,
                      j -> {
                        int c = j / (m - 1);
                        Channel ch = channels.get(c);
                        return b.join(ch.members.get(1 + j % (m - 1)), ch.id)
                            .onSuccess(x -> joined.incrementAndGet());
                      })
                  .map(
                      x -> {
                        marks[2] = System.nanoTime();
                        Report.out(
                            "setup: %d members fetched their Welcome and joined (MLS) in %.1f s (%.0f/s)",
                            joined.get(),
                            Report.seconds(marks[2] - marks[1]),
                            joined.get() / Report.seconds(marks[2] - marks[1]));
                        return new LiaisonNetwork(devices[0], channels, b.trust);
                      });
            });
  }
}
