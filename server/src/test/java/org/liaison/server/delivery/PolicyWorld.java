package org.liaison.server.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.bouncycastle.mls.codec.Commit;
import org.bouncycastle.mls.codec.FramedContent;
import org.bouncycastle.mls.codec.MLSInputStream;
import org.bouncycastle.mls.codec.MLSMessage;
import org.bouncycastle.mls.codec.MLSOutputStream;
import org.bouncycastle.mls.codec.Sender;
import org.bouncycastle.mls.codec.SenderType;
import org.liaison.crypto.Ed25519;
import org.liaison.crypto.attestation.AttestationChain;
import org.liaison.crypto.attestation.TierAttestation;
import org.liaison.crypto.mls.ChannelGroupId;
import org.liaison.crypto.mls.ChannelPolicy;
import org.liaison.crypto.mls.ChannelSession;
import org.liaison.crypto.mls.DeviceIdentity;
import org.liaison.crypto.mls.HandshakeInspector;
import org.liaison.crypto.mls.HandshakeInspector.InspectedCommit;
import org.liaison.crypto.mls.KeyPackageSecrets;
import org.liaison.crypto.mls.Trust;
import org.liaison.server.accounts.Role;
import org.liaison.server.accounts.Tier;
import org.liaison.server.accounts.User;
import org.liaison.server.accounts.UserStatus;
import org.liaison.server.channels.Channel;
import org.liaison.server.channels.ChannelKind;
import org.liaison.server.channels.Leaf;
import org.liaison.server.devices.Device;
import org.liaison.server.devices.DeviceStatus;
import org.liaison.server.keydirectory.KeyDirectory;
import org.liaison.server.keydirectory.KeyDirectory.StoredPackage;
import org.liaison.server.organisations.Sector;

/**
 * Real inputs for the delivery rules, without a server or a store: devices with real Ed25519 keys
 * and attestation chains, key packages and commits made by bcmls through {@link ChannelSession},
 * read back by {@link HandshakeInspector} exactly as the delivery service reads them, and the
 * server-side records (users, devices, issued key packages, the channel) that the service would
 * have loaded for them.
 *
 * <p>A commit a well-behaved client never makes (a proposal by reference, a PSK, an external commit
 * that also adds someone) is a real commit re-framed with {@link #reframe}: its FramedContent is
 * decoded by bcmls, edited, and encoded again. Signatures and tags are then not valid, which does
 * not matter: the delivery service cannot check them (it holds no group secret) and does not try.
 */
final class PolicyWorld {
  static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
  static final String CITY = "city-mostar";
  static final String OTHER_CITY = "city-tuzla";

  private static final Ed25519.KeyPair ROOT = Ed25519.KeyPair.generate();

  private PolicyWorld() {}

  // ---- server-side records ------------------------------------------------------------------

  static User user(
      String id, Tier tier, Sector sector, Role role, String cityId, UserStatus status) {
    return new User(
        id,
        id + "@example.org",
        displayName(id),
        "en",
        cityId,
        "org-" + sector.wire(),
        sector,
        tier,
        role,
        status,
        null, // the rules never look at the password
        NOW.minus(Duration.ofDays(100)));
  }

  static String displayName(String id) {
    return Character.toUpperCase(id.charAt(0)) + id.substring(1);
  }

  static User with(User u, Role role) {
    return user(u.id(), u.tier(), u.sector(), role, u.cityId(), u.status());
  }

  static User with(User u, UserStatus status) {
    return user(u.id(), u.tier(), u.sector(), u.role(), u.cityId(), status);
  }

  static User with(User u, Sector sector) {
    return user(u.id(), u.tier(), sector, u.role(), u.cityId(), u.status());
  }

  static User inCity(User u, String cityId) {
    return user(u.id(), u.tier(), u.sector(), u.role(), cityId, u.status());
  }

  static Device device(DeviceIdentity identity, DeviceStatus status) {
    return new Device(
        identity.deviceId(),
        identity.userId(),
        identity.deviceId(),
        identity.signaturePublicKey(),
        status,
        identity.credential().chain().map(AttestationChain::encode),
        NOW.minus(Duration.ofDays(50)));
  }

  /** The key directory's record of a package, as {@code KeyDirectory.byHashes} returns it. */
  static StoredPackage stored(DeviceIdentity owner, KeyPackageSecrets kp, boolean issued) {
    return new StoredPackage(
        KeyDirectory.hash(kp.publicBytes()),
        owner.deviceId(),
        owner.userId(),
        kp.publicBytes(),
        false,
        issued);
  }

  static ChannelPolicy policy(int minTier, String... sectors) {
    return new ChannelPolicy(minTier, new TreeSet<>(List.of(sectors)), 30, false);
  }

  static Channel channel(
      byte[] groupId,
      ChannelPolicy policy,
      List<Leaf> leaves,
      List<String> owners,
      List<String> leaving) {
    return new Channel(
        ChannelGroupId.decode(groupId).channelIdHex(),
        groupId,
        ChannelKind.TEAM,
        policy,
        List.copyOf(owners),
        1,
        new ArrayList<>(leaves), // may hold nulls: blank leaves
        0,
        1,
        new byte[] {1},
        Optional.empty(),
        List.copyOf(leaving),
        List.of(),
        owners.isEmpty() ? "nobody" : owners.get(0),
        NOW.minus(Duration.ofDays(10)));
  }

  static Leaf leaf(DeviceIdentity device, long addedAt) {
    return new Leaf(device.userId(), device.deviceId(), addedAt);
  }

  // ---- devices and MLS ----------------------------------------------------------------------

  /** A device whose key a coordinator attested (as every active device's is). */
  static DeviceIdentity identity(String userId, String deviceId, int tier, String sector) {
    DeviceIdentity device = DeviceIdentity.generate(userId, deviceId);
    return device.withAttestation(
        AttestationChain.of(
            TierAttestation.issue(
                ROOT,
                TierAttestation.Kind.DEVICE,
                userId,
                device.signaturePublicKey(),
                tier,
                sector,
                CITY,
                Instant.now().minus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(30)))));
  }

  static Trust trust() {
    return Trust.anyone();
  }

  static InspectedCommit inspect(byte[] commit) {
    return HandshakeInspector.commit(commit);
  }

  /** The server-side leaves for a real group: one per member, blanks where bcmls has none. */
  static List<Leaf> leavesOf(ChannelSession session, long addedAt) {
    List<Leaf> leaves = new ArrayList<>();
    for (ChannelSession.Member m : session.members()) {
      while (leaves.size() <= m.leaf()) {
        leaves.add(null);
      }
      leaves.set(m.leaf(), new Leaf(m.userId(), m.deviceId(), addedAt));
    }
    return leaves;
  }

  /** (userId, deviceId) per leaf index, blanks as null: to compare with the server's leaves. */
  static List<String> shape(List<Leaf> leaves) {
    List<String> out = new ArrayList<>();
    for (Leaf l : leaves) {
      out.add(l == null ? null : l.userId() + "/" + l.deviceId());
    }
    return out;
  }

  static List<String> shape(ChannelSession session) {
    return shape(leavesOf(session, 0));
  }

  /**
   * A real commit's FramedContent, decoded by bcmls, with its commit edited and its sender
   * replaced, encoded again as a PublicMessage. The auth data is zeros (this is what an attacker
   * can send; the delivery service cannot tell).
   */
  static byte[] reframe(byte[] realCommit, Sender sender, Consumer<Commit> edit) {
    try {
      FramedContent original =
          new FramedContent(
              new MLSInputStream(Arrays.copyOfRange(realCommit, 4, realCommit.length)));
      Commit commit = original.getCommit();
      edit.accept(commit);
      FramedContent content =
          FramedContent.commit(
              original.getGroupID(),
              original.getEpoch(),
              sender,
              new byte[0],
              MLSOutputStream.encode(commit));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.write(new byte[] {0, 1, 0, 1}); // mls10, mls_public_message
      out.write(MLSOutputStream.encode(content));
      out.write(new byte[] {0x40, 64}); // signature<V>, 64 bytes
      out.write(new byte[64]);
      out.write(32); // confirmation_tag<V>
      out.write(new byte[32]);
      if (sender.getSenderType() == SenderType.MEMBER) {
        out.write(32); // membership_tag<V>
        out.write(new byte[32]);
      }
      return out.toByteArray();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The sender a real commit names, for re-framing it with its own sender. */
  static Sender senderOf(byte[] realCommit) {
    try {
      return new FramedContent(
              new MLSInputStream(Arrays.copyOfRange(realCommit, 4, realCommit.length)))
          .getSender();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static org.bouncycastle.mls.codec.KeyPackage keyPackageOf(KeyPackageSecrets kp) {
    try {
      return ((MLSMessage) MLSInputStream.decode(kp.publicBytes(), MLSMessage.class)).keyPackage;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- the standard channel -----------------------------------------------------------------

  /**
   * One channel (T2, municipality / youth-work / civil-society) at epoch 1 with four leaves:
   * alice's laptop (0), bob's laptop (1), carol's phone (2), bob's phone (3), and commits made on
   * that epoch by its real members. Dave and Erin are outside with issued key packages.
   */
  static final class Standard {
    final ChannelPolicy policy = policy(2, "municipality", "youth-work", "civil-society");
    final ChannelGroupId groupId = ChannelGroupId.create(policy);

    final DeviceIdentity aliceLaptop = identity("alice", "alice-laptop", 3, "municipality");
    final DeviceIdentity bobLaptop = identity("bob", "bob-laptop", 2, "youth-work");
    final DeviceIdentity carolPhone = identity("carol", "carol-phone", 2, "civil-society");
    final DeviceIdentity bobPhone = identity("bob", "bob-phone", 2, "youth-work");
    final DeviceIdentity daveLaptop = identity("dave", "dave-laptop", 2, "youth-work");
    final DeviceIdentity erinLaptop = identity("erin", "erin-laptop", 3, "municipality");

    final Map<String, User> users = new LinkedHashMap<>();
    final Map<String, Device> devices = new LinkedHashMap<>();
    final Map<String, StoredPackage> packages = new HashMap<>();

    final KeyPackageSecrets daveKp = ChannelSession.newKeyPackage(daveLaptop);
    final KeyPackageSecrets daveKp2 = ChannelSession.newKeyPackage(daveLaptop);
    final KeyPackageSecrets erinKp = ChannelSession.newKeyPackage(erinLaptop);

    final ChannelSession alice;
    final ChannelSession bob;
    final ChannelSession carol;
    final ChannelSession bobOnPhone;
    final List<Leaf> leaves;

    Standard() {
      for (User u :
          List.of(
              user("alice", Tier.T3, Sector.MUNICIPALITY, Role.MEMBER, CITY, UserStatus.ACTIVE),
              user("bob", Tier.T2, Sector.YOUTH_WORK, Role.MEMBER, CITY, UserStatus.ACTIVE),
              user("carol", Tier.T2, Sector.CIVIL_SOCIETY, Role.MEMBER, CITY, UserStatus.ACTIVE),
              user("dave", Tier.T2, Sector.YOUTH_WORK, Role.MEMBER, CITY, UserStatus.ACTIVE),
              user("erin", Tier.T3, Sector.MUNICIPALITY, Role.MEMBER, CITY, UserStatus.ACTIVE))) {
        users.put(u.id(), u);
      }
      for (DeviceIdentity d :
          List.of(aliceLaptop, bobLaptop, carolPhone, bobPhone, daveLaptop, erinLaptop)) {
        devices.put(d.deviceId(), device(d, DeviceStatus.ACTIVE));
      }
      KeyPackageSecrets bobKp = ChannelSession.newKeyPackage(bobLaptop);
      KeyPackageSecrets carolKp = ChannelSession.newKeyPackage(carolPhone);
      KeyPackageSecrets bobPhoneKp = ChannelSession.newKeyPackage(bobPhone);
      ChannelSession.PendingCommit adding =
          ChannelSession.create(aliceLaptop, groupId.encode(), trust())
              .add(List.of(bobKp.publicBytes(), carolKp.publicBytes(), bobPhoneKp.publicBytes()));
      byte[] welcome = adding.welcome().orElseThrow();
      alice = adding.next();
      bob = ChannelSession.join(bobLaptop, bobKp, welcome, trust());
      carol = ChannelSession.join(carolPhone, carolKp, welcome, trust());
      bobOnPhone = ChannelSession.join(bobPhone, bobPhoneKp, welcome, trust());
      // Those three were consumed by the Add above; Dave's and Erin's are waiting, handed out.
      for (StoredPackage p :
          List.of(
              stored(daveLaptop, daveKp, true),
              stored(daveLaptop, daveKp2, true),
              stored(erinLaptop, erinKp, true))) {
        packages.put(p.hash(), p);
      }
      leaves = leavesOf(alice, 0);
      assertEquals(
          Arrays.asList(
              "alice/alice-laptop", "bob/bob-laptop", "carol/carol-phone", "bob/bob-phone"),
          shape(leaves),
          "the real group's leaves");
    }
  }
}
