package org.liaison.server.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.liaison.server.delivery.PolicyWorld.inCity;
import static org.liaison.server.delivery.PolicyWorld.inspect;
import static org.liaison.server.delivery.PolicyWorld.keyPackageOf;
import static org.liaison.server.delivery.PolicyWorld.reframe;
import static org.liaison.server.delivery.PolicyWorld.senderOf;
import static org.liaison.server.delivery.PolicyWorld.with;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.bouncycastle.mls.TreeKEM.LeafIndex;
import org.bouncycastle.mls.codec.PreSharedKeyID;
import org.bouncycastle.mls.codec.Proposal;
import org.bouncycastle.mls.codec.ProposalOrRef;
import org.bouncycastle.mls.codec.ProtocolVersion;
import org.bouncycastle.mls.codec.Sender;
import org.bouncycastle.mls.crypto.MlsCipherSuite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.liaison.crypto.mls.ChannelPolicy;
import org.liaison.crypto.mls.ChannelSession;
import org.liaison.crypto.mls.DeviceIdentity;
import org.liaison.crypto.mls.HandshakeInspector.InspectedCommit;
import org.liaison.crypto.mls.HandshakeInspector.SenderKind;
import org.liaison.crypto.mls.KeyPackageSecrets;
import org.liaison.server.accounts.Role;
import org.liaison.server.accounts.Tier;
import org.liaison.server.accounts.User;
import org.liaison.server.accounts.UserStatus;
import org.liaison.server.api.ApiError;
import org.liaison.server.channels.Leaf;
import org.liaison.server.devices.Device;
import org.liaison.server.devices.DeviceStatus;
import org.liaison.server.keydirectory.KeyDirectory;
import org.liaison.server.keydirectory.KeyDirectory.StoredPackage;
import org.liaison.server.organisations.Sector;

/**
 * Every rule of {@link CommitPolicy}, one named case per accept or refuse path. The commits are
 * real: made by bcmls for a real four-leaf group and read by the HandshakeInspector, as the
 * delivery service reads them; the commits no honest client makes are real ones re-framed (see
 * {@link PolicyWorld#reframe}). Each case then varies the facts the service would have loaded: who
 * posts it, the channel's leaves, owners, leavers and policy, and the users, devices and issued key
 * packages on record.
 */
class CommitPolicyTest {
  private static final PolicyWorld.Standard W = new PolicyWorld.Standard();

  // Real commits on epoch 1 of W's group: leaves alice-laptop 0, bob-laptop 1, carol-phone 2,
  // bob-phone 3.
  private static final byte[] ADD_DAVE = W.alice.add(List.of(W.daveKp.publicBytes())).commit();
  private static final byte[] ADD_DAVE_AND_ERIN =
      W.alice.add(List.of(W.daveKp.publicBytes(), W.erinKp.publicBytes())).commit();
  private static final byte[] ALICE_REMOVES_CAROL =
      W.alice.remove(m -> m.deviceId().equals("carol-phone")).commit();
  private static final byte[] ALICE_REMOVES_CAROL_AND_BOBS_PHONE =
      W.alice
          .remove(m -> m.deviceId().equals("carol-phone") || m.deviceId().equals("bob-phone"))
          .commit();
  private static final byte[] BOB_REMOVES_HIS_PHONE =
      W.bob.remove(m -> m.deviceId().equals("bob-phone")).commit();
  private static final byte[] BOB_UPDATES = W.bob.update().commit();
  private static final byte[] BOB_RESYNCS =
      ChannelSession.resync(W.bobLaptop, W.alice.groupInfo(), PolicyWorld.trust()).commit();
  // Bob's device comes back with a credential that names Carol as its user.
  private static final byte[] BOB_RESYNCS_AS_CAROL =
      ChannelSession.resync(
              PolicyWorld.identity("carol", "bob-laptop", 2, "civil-society"),
              W.alice.groupInfo(),
              PolicyWorld.trust())
          .commit();
  private static final byte[] DAVE_JOINS_EXTERNALLY =
      ChannelSession.resync(W.daveLaptop, W.alice.groupInfo(), PolicyWorld.trust()).commit();

  // Re-framed commits: what a modified client could send.
  private static final KeyPackageSecrets CAROL_KP2 = ChannelSession.newKeyPackage(W.carolPhone);

  private static byte[] bobUpdatesWith(Proposal... proposals) {
    return reframe(
        BOB_UPDATES,
        senderOf(BOB_UPDATES),
        c -> Arrays.stream(proposals).forEach(p -> c.getProposals().add(forProposal(p))));
  }

  private static ProposalOrRef forProposal(Proposal p) {
    return ProposalOrRef.forProposal(p);
  }

  private static Proposal psk() {
    return Proposal.preSharedKey(PreSharedKeyID.external(new byte[8], new byte[32]));
  }

  private static Proposal reinit() {
    try {
      return Proposal.reInit(
          W.groupId.encode(),
          ProtocolVersion.mls10,
          MlsCipherSuite.getSuite(ChannelSession.DEFAULT_SUITE),
          new ArrayList<>());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Proposal add(KeyPackageSecrets kp) {
    try {
      return Proposal.add(keyPackageOf(kp));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static final byte[] BOB_UPDATES_BY_REFERENCE =
      reframe(
          BOB_UPDATES,
          senderOf(BOB_UPDATES),
          c -> c.getProposals().add(ProposalOrRef.forRef(new byte[32])));
  private static final byte[] BOB_UPDATES_WITH_PSK_AND_REFERENCE =
      reframe(
          BOB_UPDATES,
          senderOf(BOB_UPDATES),
          c -> {
            c.getProposals().add(forProposal(psk()));
            c.getProposals().add(ProposalOrRef.forRef(new byte[32]));
          });
  private static final byte[] BOB_UPDATES_WITH_PSK = bobUpdatesWith(psk());
  private static final byte[] BOB_UPDATES_WITH_REINIT = bobUpdatesWith(reinit());
  private static final byte[] BOB_UPDATES_WITH_GROUP_CONTEXT_EXTENSIONS =
      bobUpdatesWith(Proposal.groupContextExtensions(new ArrayList<>()));
  private static final byte[] BOB_UPDATES_WITH_UPDATE_PROPOSAL =
      bobUpdatesWith(Proposal.update(keyPackageOf(W.daveKp).getLeafNode()));
  private static final byte[] EXTERNAL_SENDER_WITH_PSK =
      reframe(BOB_UPDATES, Sender.forExternal(0), c -> c.getProposals().add(forProposal(psk())));
  private static final byte[] FROM_EXTERNAL_SENDER =
      reframe(BOB_UPDATES, Sender.forExternal(0), c -> {});
  private static final byte[] FROM_NEW_MEMBER_PROPOSAL_SENDER =
      reframe(BOB_UPDATES, Sender.forNewMemberProposal(), c -> {});
  private static final byte[] FROM_LEAF_4294967295 =
      reframe(BOB_UPDATES, Sender.forMember(new LeafIndex(-1)), c -> {});
  private static final byte[] BOB_RESYNCS_REMOVING_CAROL_INSTEAD =
      reframe(
          BOB_RESYNCS,
          Sender.forNewMemberCommit(),
          c -> {
            c.getProposals().removeIf(p -> p.getProposal().getRemove() != null);
            c.getProposals().add(forProposal(Proposal.remove(new LeafIndex(2))));
          });
  private static final byte[] BOB_RESYNCS_ALSO_REMOVING_CAROL =
      reframe(
          BOB_RESYNCS,
          Sender.forNewMemberCommit(),
          c -> c.getProposals().add(forProposal(Proposal.remove(new LeafIndex(2)))));
  private static final byte[] BOB_RESYNCS_ALSO_ADDING_DAVE =
      reframe(
          BOB_RESYNCS,
          Sender.forNewMemberCommit(),
          c -> c.getProposals().add(forProposal(add(W.daveKp))));
  private static final byte[] BOB_RESYNCS_WITHOUT_PATH =
      reframe(BOB_RESYNCS, Sender.forNewMemberCommit(), c -> c.setUpdatePath(null));
  // bcmls refuses to make this one (two leaves with one signature key).
  private static final byte[] ADD_DAVE_TWICE =
      reframe(ADD_DAVE, senderOf(ADD_DAVE), c -> c.getProposals().add(forProposal(add(W.daveKp2))));
  private static final byte[] ALICE_ADDS_DAVE_AND_REMOVES_CAROL =
      reframe(
          ADD_DAVE,
          senderOf(ADD_DAVE),
          c -> c.getProposals().add(forProposal(Proposal.remove(new LeafIndex(2)))));
  // RFC 9420 §12.2: a commit must not remove the same leaf twice; the server once threw on it.
  private static final byte[] ALICE_REMOVES_CAROL_TWICE =
      reframe(
          ALICE_REMOVES_CAROL,
          senderOf(ALICE_REMOVES_CAROL),
          c -> c.getProposals().add(forProposal(Proposal.remove(new LeafIndex(2)))));
  private static final byte[] ALICE_REPLACES_CAROLS_LEAF =
      reframe(
          ALICE_REMOVES_CAROL,
          senderOf(ALICE_REMOVES_CAROL),
          c -> c.getProposals().add(forProposal(add(CAROL_KP2))));

  /** The facts one case gives the rules; starts as W's channel with nobody owning or leaving. */
  static final class Scene {
    final byte[] commit;
    User actor;
    String actorDevice;
    ChannelPolicy policy = W.policy;
    final List<Leaf> leaves = new ArrayList<>(W.leaves);
    final List<String> owners = new ArrayList<>();
    final List<String> leaving = new ArrayList<>();
    final Map<String, User> users = new HashMap<>(W.users);
    final Map<String, Device> devices = new HashMap<>(W.devices);
    final Map<String, StoredPackage> packages = new HashMap<>(W.packages);

    Scene(byte[] commit, DeviceIdentity actor) {
      this.commit = commit;
      this.actor = W.users.get(actor.userId());
      this.actorDevice = actor.deviceId();
    }

    void user(String id, UnaryOperator<User> change) {
      users.put(id, change.apply(users.get(id)));
    }

    void device(String id, DeviceStatus status) {
      Device d = devices.get(id);
      devices.put(
          id,
          new Device(
              d.id(),
              d.userId(),
              d.name(),
              d.signatureKey(),
              status,
              d.attestation(),
              d.createdAt()));
    }

    CommitPolicy.Facts facts() {
      return new CommitPolicy.Facts(
          PolicyWorld.channel(W.groupId.encode(), policy, leaves, owners, leaving),
          actor,
          actorDevice,
          inspect(commit),
          Map.copyOf(packages),
          Map.copyOf(devices),
          Map.copyOf(users));
    }
  }

  /** An expected joiner; {@code packageHash} is null for a resync. */
  record J(String userId, String deviceId, String packageHash) {}

  static J joiner(DeviceIdentity device, KeyPackageSecrets kp) {
    return new J(device.userId(), device.deviceId(), KeyDirectory.hash(kp.publicBytes()));
  }

  static J resynced(DeviceIdentity device) {
    return new J(device.userId(), device.deviceId(), null);
  }

  /** One named case: a commit, who posts it, how the facts differ, and the outcome. */
  static final class Case {
    final String name;
    final byte[] commit;
    final DeviceIdentity actor;
    final List<Consumer<Scene>> given = new ArrayList<>();
    String code; // null: accepted
    String rule;
    String userId;
    String message;
    List<Integer> removed;
    List<J> joiners;

    Case(String name, byte[] commit, DeviceIdentity actor) {
      this.name = name;
      this.commit = commit;
      this.actor = actor;
    }

    Case given(Consumer<Scene> change) {
      given.add(change);
      return this;
    }

    Case refused(String rule, String userId) {
      this.code = "policy-violation";
      this.rule = rule;
      this.userId = userId;
      return this;
    }

    Case senderMismatch() {
      this.code = "sender-mismatch";
      return this;
    }

    Case saying(String message) {
      this.message = message;
      return this;
    }

    Case accepted(List<Integer> removed, J... joiners) {
      this.removed = removed;
      this.joiners = List.of(joiners);
      return this;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static Case when(String name, byte[] commit, DeviceIdentity actor) {
    return new Case(name, commit, actor);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource({
    "proposalShapes",
    "senders",
    "resyncs",
    "removes",
    "adds",
  })
  void theRuleDecides(Case c) {
    Scene scene = new Scene(c.commit, c.actor);
    c.given.forEach(g -> g.accept(scene));
    CommitPolicy.Facts facts = scene.facts();
    if (c.code == null) {
      CommitPolicy.Change change;
      try {
        change = CommitPolicy.check(facts);
      } catch (ApiError e) {
        throw new AssertionError(
            "refused: " + e.code() + " " + e.details() + " " + e.getMessage(), e);
      }
      assertEquals(c.removed, change.removedLeaves(), "removed leaves");
      assertEquals(
          c.joiners,
          change.joiners().stream()
              .map(
                  j ->
                      new J(
                          j.userId(),
                          j.deviceId(),
                          j.keyPackage() == null ? null : j.keyPackage().hash()))
              .toList(),
          "joiners");
      for (CommitPolicy.Joiner j : change.joiners()) {
        if (j.keyPackage() != null) {
          assertSame(
              facts.packages().get(j.keyPackage().hash()),
              j.keyPackage(),
              "the directory's record, to be consumed");
        }
      }
      return;
    }
    ApiError e = assertThrows(ApiError.class, () -> CommitPolicy.check(facts));
    assertEquals(403, e.status());
    assertEquals(c.code, e.code(), e.getMessage());
    if (c.code.equals("sender-mismatch")) {
      assertNull(e.details());
    } else {
      assertEquals(c.rule, e.details().getString("rule"), e.getMessage());
      assertEquals(c.userId, e.details().getString("userId"), "details.userId");
      assertEquals(c.userId == null ? 1 : 2, e.details().size(), e.details().encode());
    }
    if (c.message != null) {
      assertEquals(c.message, e.getMessage());
    }
  }

  // ---- proposals: by value, and only add / remove / update -----------------------------------

  static Stream<Case> proposalShapes() {
    return Stream.of(
        when("a plain update commit changes no membership", BOB_UPDATES, W.bobLaptop)
            .accepted(List.of()),
        when(
                "an update proposal carried by value is allowed",
                BOB_UPDATES_WITH_UPDATE_PROPOSAL,
                W.bobLaptop)
            .accepted(List.of()),
        when("a proposal by reference is refused", BOB_UPDATES_BY_REFERENCE, W.bobLaptop)
            .refused("proposal-by-reference", null)
            .saying("Commits must carry their proposals by value"),
        when(
                "a reference is reported before another proposal type",
                BOB_UPDATES_WITH_PSK_AND_REFERENCE,
                W.bobLaptop)
            .refused("proposal-by-reference", null),
        when("a PSK proposal is refused", BOB_UPDATES_WITH_PSK, W.bobLaptop)
            .refused("proposal-type", null),
        when("a ReInit proposal is refused", BOB_UPDATES_WITH_REINIT, W.bobLaptop)
            .refused("proposal-type", null),
        when(
                "a GroupContextExtensions proposal (a policy change) is refused",
                BOB_UPDATES_WITH_GROUP_CONTEXT_EXTENSIONS,
                W.bobLaptop)
            .refused("proposal-type", null)
            .saying("Only add, remove and update proposals are allowed; the policy cannot change"),
        when(
                "the proposal type is checked before the sender",
                EXTERNAL_SENDER_WITH_PSK,
                W.bobLaptop)
            .refused("proposal-type", null));
  }

  // ---- the sender: the leaf it signs for must be the posting device's ------------------------

  static Stream<Case> senders() {
    return Stream.of(
        when("a member commits from its own leaf", BOB_UPDATES, W.bobLaptop).accepted(List.of()),
        when("another device of the same user cannot post it", BOB_UPDATES, W.bobPhone)
            .senderMismatch()
            .saying("The commit is signed for another member's leaf"),
        when("another member cannot post it", BOB_UPDATES, W.carolPhone).senderMismatch(),
        when("the sender's leaf is blank in the channel", BOB_UPDATES, W.bobLaptop)
            .given(s -> s.leaves.set(1, null))
            .senderMismatch(),
        when("the sender's leaf is past the channel's last leaf", BOB_UPDATES, W.bobLaptop)
            .given(s -> s.leaves.subList(1, s.leaves.size()).clear())
            .senderMismatch(),
        when("a sender leaf of 2^32-1 (negative as an int)", FROM_LEAF_4294967295, W.bobLaptop)
            .senderMismatch(),
        when("an external sender cannot commit", FROM_EXTERNAL_SENDER, W.bobLaptop)
            .senderMismatch()
            .saying("Only members and resyncing members may commit"),
        when(
                "a new-member-proposal sender cannot commit",
                FROM_NEW_MEMBER_PROPOSAL_SENDER,
                W.bobLaptop)
            .senderMismatch());
  }

  // ---- external commits: a resync replaces the device's own leaf, nothing more -----------------

  static Stream<Case> resyncs() {
    return Stream.of(
        when("a device resyncs in place of its own old leaf", BOB_RESYNCS, W.bobLaptop)
            .accepted(List.of(1), resynced(W.bobLaptop)),
        when(
                "a device with no leaf in the channel cannot join by external commit",
                DAVE_JOINS_EXTERNALLY,
                W.daveLaptop)
            .senderMismatch()
            .saying(
                "An external commit may only bring back this device in place of its own old leaf"),
        when(
                "a member cannot post an external commit that brings in another device",
                DAVE_JOINS_EXTERNALLY,
                W.bobLaptop)
            .senderMismatch(),
        when("a resync whose credential names another user", BOB_RESYNCS_AS_CAROL, W.bobLaptop)
            .senderMismatch(),
        when(
                "another device of the same user cannot post a device's resync",
                BOB_RESYNCS,
                W.bobPhone)
            .senderMismatch(),
        when(
                "a resync that removes another member's leaf instead",
                BOB_RESYNCS_REMOVING_CAROL_INSTEAD,
                W.bobLaptop)
            .senderMismatch(),
        when(
                "a resync that also removes another member's leaf",
                BOB_RESYNCS_ALSO_REMOVING_CAROL,
                W.bobLaptop)
            .senderMismatch(),
        when("a resync that also adds a device", BOB_RESYNCS_ALSO_ADDING_DAVE, W.bobLaptop)
            .senderMismatch(),
        when("an external commit without a path credential", BOB_RESYNCS_WITHOUT_PATH, W.bobLaptop)
            .senderMismatch(),
        // The rule as written lets an external commit that removes no leaf through when the device
        // already has one (here the server's view lists dave-laptop at leaf 4 while the group's
        // tree does not): the device then holds two leaves in the server's view. Clients refuse a
        // second leaf with the same signature key (RFC 9420 7.3); this case pins what the server
        // does today so that a change to it is deliberate.
        when(
                "an external commit that removes no leaf, by a device the channel lists",
                DAVE_JOINS_EXTERNALLY,
                W.daveLaptop)
            .given(s -> s.leaves.add(PolicyWorld.leaf(W.daveLaptop, 7)))
            .accepted(List.of(), resynced(W.daveLaptop)));
  }

  // ---- removes: who may remove whom ----------------------------------------------------------

  static Stream<Case> removes() {
    return Stream.of(
        when("a plain member cannot remove another member", ALICE_REMOVES_CAROL, W.aliceLaptop)
            .refused("remove-not-allowed", "carol")
            .saying(
                "Only the member, the channel's owners or the member's city coordinator can"
                    + " remove them"),
        when("a member removes another device of their own", BOB_REMOVES_HIS_PHONE, W.bobLaptop)
            .accepted(List.of(3)),
        when("an owner removes a member", ALICE_REMOVES_CAROL, W.aliceLaptop)
            .given(s -> s.owners.add("alice"))
            .accepted(List.of(2)),
        when("anyone removes a member who asked to leave", ALICE_REMOVES_CAROL, W.aliceLaptop)
            .given(s -> s.leaving.add("carol"))
            .accepted(List.of(2)),
        when(
                "someone else asking to leave does not make the member removable",
                ALICE_REMOVES_CAROL,
                W.aliceLaptop)
            .given(s -> s.leaving.add("bob"))
            .refused("remove-not-allowed", "carol"),
        when("a network admin removes a member", ALICE_REMOVES_CAROL, W.aliceLaptop)
            .given(s -> s.actor = with(s.actor, Role.NETWORK_ADMIN))
            .accepted(List.of(2)),
        when("the member's city coordinator removes them", ALICE_REMOVES_CAROL, W.aliceLaptop)
            .given(s -> s.actor = with(s.actor, Role.CITY_COORDINATOR))
            .accepted(List.of(2)),
        when("another city's coordinator cannot remove them", ALICE_REMOVES_CAROL, W.aliceLaptop)
            .given(
                s -> s.actor = inCity(with(s.actor, Role.CITY_COORDINATOR), PolicyWorld.OTHER_CITY))
            .refused("remove-not-allowed", "carol"),
        when(
                "a coordinator without a city is no coordinator of a member without one",
                ALICE_REMOVES_CAROL,
                W.aliceLaptop)
            .given(s -> s.actor = inCity(with(s.actor, Role.CITY_COORDINATOR), null))
            .given(s -> s.user("carol", u -> inCity(u, null)))
            .refused("remove-not-allowed", "carol"),
        when("anyone removes a suspended member", ALICE_REMOVES_CAROL, W.aliceLaptop)
            .given(s -> s.user("carol", u -> with(u, UserStatus.SUSPENDED)))
            .accepted(List.of(2)),
        when("anyone removes a member whose account is gone", ALICE_REMOVES_CAROL, W.aliceLaptop)
            .given(s -> s.users.remove("carol"))
            .accepted(List.of(2)),
        when("anyone removes a revoked device", ALICE_REMOVES_CAROL, W.aliceLaptop)
            .given(s -> s.device("carol-phone", DeviceStatus.REVOKED))
            .accepted(List.of(2)),
        when("anyone removes a device whose record is gone", ALICE_REMOVES_CAROL, W.aliceLaptop)
            .given(s -> s.devices.remove("carol-phone"))
            .accepted(List.of(2)),
        when("a device awaiting attestation is not fair game", ALICE_REMOVES_CAROL, W.aliceLaptop)
            .given(s -> s.device("carol-phone", DeviceStatus.AWAITING_ATTESTATION))
            .refused("remove-not-allowed", "carol"),
        when(
                "a device whose attestation was withdrawn is not fair game either",
                ALICE_REMOVES_CAROL,
                W.aliceLaptop)
            .given(s -> s.device("carol-phone", DeviceStatus.PENDING))
            .refused("remove-not-allowed", "carol"),
        when("anyone removes a member below the channel's tier", ALICE_REMOVES_CAROL, W.aliceLaptop)
            .given(s -> s.user("carol", u -> u.withTier(Tier.T1)))
            .accepted(List.of(2)),
        when(
                "anyone removes a member of a sector the channel does not allow",
                ALICE_REMOVES_CAROL,
                W.aliceLaptop)
            .given(s -> s.user("carol", u -> with(u, Sector.LAW_ENFORCEMENT)))
            .accepted(List.of(2)),
        when("an owner removes two members", ALICE_REMOVES_CAROL_AND_BOBS_PHONE, W.aliceLaptop)
            .given(s -> s.owners.add("alice"))
            .accepted(List.of(2, 3)),
        when(
                "every removal is checked, not only the first",
                ALICE_REMOVES_CAROL_AND_BOBS_PHONE,
                W.aliceLaptop)
            .given(s -> s.leaving.add("carol"))
            .refused("remove-not-allowed", "bob"),
        when("a removal of a blank leaf", ALICE_REMOVES_CAROL, W.aliceLaptop)
            .given(s -> s.owners.add("alice"))
            .given(s -> s.leaves.set(2, null))
            .refused("no-such-member", null)
            .saying("The commit removes an empty leaf"),
        when("a removal past the channel's last leaf", ALICE_REMOVES_CAROL, W.aliceLaptop)
            .given(s -> s.owners.add("alice"))
            .given(s -> s.leaves.subList(2, s.leaves.size()).clear())
            .refused("no-such-member", null),
        when("the same leaf removed twice in one commit", ALICE_REMOVES_CAROL_TWICE, W.aliceLaptop)
            .given(s -> s.owners.add("alice"))
            .refused("duplicate-remove", "carol")
            .saying("The commit removes the same member twice"),
        when("removals are checked before adds", ALICE_ADDS_DAVE_AND_REMOVES_CAROL, W.aliceLaptop)
            .given(s -> s.device("dave-laptop", DeviceStatus.REVOKED))
            .refused("remove-not-allowed", "carol"),
        when(
                "an owner removes and adds in one commit",
                ALICE_ADDS_DAVE_AND_REMOVES_CAROL,
                W.aliceLaptop)
            .given(s -> s.owners.add("alice"))
            .accepted(List.of(2), joiner(W.daveLaptop, W.daveKp)));
  }

  // ---- adds: issued key packages, of active, attested devices the policy admits ---------------

  static Stream<Case> adds() {
    return Stream.of(
        when("a T2 member of an allowed sector joins a T2 channel", ADD_DAVE, W.aliceLaptop)
            .accepted(List.of(), joiner(W.daveLaptop, W.daveKp)),
        when("two devices join, in the commit's order", ADD_DAVE_AND_ERIN, W.aliceLaptop)
            .accepted(List.of(), joiner(W.daveLaptop, W.daveKp), joiner(W.erinLaptop, W.erinKp)),
        when("a key package the directory never saw", ADD_DAVE, W.aliceLaptop)
            .given(s -> s.packages.clear())
            .refused("key-package-not-issued", "dave")
            .saying("Members can only be added with key packages this server handed out"),
        when("a key package uploaded but not handed out", ADD_DAVE, W.aliceLaptop)
            .given(
                s ->
                    s.packages.put(
                        KeyDirectory.hash(W.daveKp.publicBytes()),
                        PolicyWorld.stored(W.daveLaptop, W.daveKp, false)))
            .refused("key-package-not-issued", "dave"),
        when(
                "another issued package of the same device does not cover this one",
                ADD_DAVE,
                W.aliceLaptop)
            .given(s -> s.packages.remove(KeyDirectory.hash(W.daveKp.publicBytes())))
            .refused("key-package-not-issued", "dave"),
        when("the device's record is gone", ADD_DAVE, W.aliceLaptop)
            .given(s -> s.devices.remove("dave-laptop"))
            .refused("device-revoked", "dave")
            .saying("That device was revoked"),
        when("the user's record is gone", ADD_DAVE, W.aliceLaptop)
            .given(s -> s.users.remove("dave"))
            .refused("device-revoked", "dave"),
        when("a revoked device", ADD_DAVE, W.aliceLaptop)
            .given(s -> s.device("dave-laptop", DeviceStatus.REVOKED))
            .refused("device-revoked", "dave"),
        when("a device awaiting its tier attestation", ADD_DAVE, W.aliceLaptop)
            .given(s -> s.device("dave-laptop", DeviceStatus.AWAITING_ATTESTATION))
            .refused("device-not-attested", "dave")
            .saying("That device has no tier attestation yet"),
        when("a device whose attestation was withdrawn", ADD_DAVE, W.aliceLaptop)
            .given(s -> s.device("dave-laptop", DeviceStatus.PENDING))
            .refused("device-not-attested", "dave"),
        when("a suspended user", ADD_DAVE, W.aliceLaptop)
            .given(s -> s.user("dave", u -> with(u, UserStatus.SUSPENDED)))
            .refused("user-suspended", "dave")
            .saying("Dave is suspended"),
        when("revocation is reported before suspension", ADD_DAVE, W.aliceLaptop)
            .given(s -> s.device("dave-laptop", DeviceStatus.REVOKED))
            .given(s -> s.user("dave", u -> with(u, UserStatus.SUSPENDED)))
            .refused("device-revoked", "dave"),
        when("a missing attestation is reported before suspension", ADD_DAVE, W.aliceLaptop)
            .given(s -> s.device("dave-laptop", DeviceStatus.AWAITING_ATTESTATION))
            .given(s -> s.user("dave", u -> with(u, UserStatus.SUSPENDED)))
            .refused("device-not-attested", "dave"),
        when("a user below the channel's tier", ADD_DAVE, W.aliceLaptop)
            .given(s -> s.user("dave", u -> u.withTier(Tier.T1)))
            .refused("min-tier", "dave")
            .saying("Dave is T1; this channel needs T2"),
        when("a channel that needs T3", ADD_DAVE, W.aliceLaptop)
            .given(s -> s.policy = PolicyWorld.policy(3))
            .refused("min-tier", "dave")
            .saying("Dave is T2; this channel needs T3"),
        when("suspension is reported before the tier", ADD_DAVE, W.aliceLaptop)
            .given(s -> s.user("dave", u -> with(u.withTier(Tier.T0), UserStatus.SUSPENDED)))
            .refused("user-suspended", "dave"),
        when("a user of a sector the channel does not allow", ADD_DAVE, W.aliceLaptop)
            .given(s -> s.user("dave", u -> with(u, Sector.LAW_ENFORCEMENT)))
            .refused("sector", "dave")
            .saying("Dave's sector (law-enforcement) is not allowed here"),
        when("the tier is reported before the sector", ADD_DAVE, W.aliceLaptop)
            .given(s -> s.user("dave", u -> with(u.withTier(Tier.T1), Sector.LAW_ENFORCEMENT)))
            .refused("min-tier", "dave"),
        when("a channel that lists no sectors admits every sector", ADD_DAVE, W.aliceLaptop)
            .given(s -> s.policy = PolicyWorld.policy(2))
            .given(s -> s.user("dave", u -> with(u, Sector.LAW_ENFORCEMENT)))
            .accepted(List.of(), joiner(W.daveLaptop, W.daveKp)),
        when("a device that already holds a leaf", ADD_DAVE, W.aliceLaptop)
            .given(s -> s.leaves.add(PolicyWorld.leaf(W.daveLaptop, 5)))
            .refused("device-already-member", "dave")
            .saying("That device is already in the channel"),
        when(
                "a device cannot be re-added in the commit that removes its leaf",
                ALICE_REPLACES_CAROLS_LEAF,
                W.aliceLaptop)
            .given(s -> s.owners.add("alice"))
            .given(
                s ->
                    s.packages.put(
                        KeyDirectory.hash(CAROL_KP2.publicBytes()),
                        PolicyWorld.stored(W.carolPhone, CAROL_KP2, true)))
            .refused("device-already-member", "carol"),
        when("the same device added twice in one commit", ADD_DAVE_TWICE, W.aliceLaptop)
            .refused("device-already-member", "dave")
            .saying("The same device is added twice"),
        when("every add is checked, not only the first", ADD_DAVE_AND_ERIN, W.aliceLaptop)
            .given(s -> s.user("erin", u -> with(u, UserStatus.SUSPENDED)))
            .refused("user-suspended", "erin"),
        when("the directory's record, not the credential, names who joins", ADD_DAVE, W.aliceLaptop)
            // Dave's package, recorded as uploaded by Erin's device: Erin is who the rules and
            // the membership see, and Erin is suspended.
            .given(
                s ->
                    s.packages.put(
                        KeyDirectory.hash(W.daveKp.publicBytes()),
                        new StoredPackage(
                            KeyDirectory.hash(W.daveKp.publicBytes()),
                            "erin-laptop",
                            "erin",
                            W.daveKp.publicBytes(),
                            false,
                            true)))
            .given(s -> s.user("erin", u -> with(u, UserStatus.SUSPENDED)))
            .refused("user-suspended", "erin"));
  }

  // ---- the inputs are what they claim to be ---------------------------------------------------

  /** Guards the table: each real or re-framed commit reads as the case names it. */
  @Test
  void theCommitsAreWhatTheCasesSayTheyAre() {
    InspectedCommit add = inspect(ADD_DAVE_AND_ERIN);
    assertEquals(SenderKind.MEMBER, add.senderKind());
    assertEquals(0, add.senderLeaf());
    assertEquals(2, add.adds().size());
    assertEquals(List.of(2, 3), inspect(ALICE_REMOVES_CAROL_AND_BOBS_PHONE).removedLeaves());
    assertEquals(1, inspect(BOB_REMOVES_HIS_PHONE).senderLeaf());
    assertEquals(List.of(3), inspect(BOB_REMOVES_HIS_PHONE).removedLeaves());
    assertEquals(1, inspect(BOB_UPDATES_WITH_UPDATE_PROPOSAL).updates());
    assertEquals(-1, inspect(FROM_LEAF_4294967295).senderLeaf());
    assertEquals(SenderKind.OTHER, inspect(FROM_EXTERNAL_SENDER).senderKind());
    assertEquals(SenderKind.OTHER, inspect(FROM_NEW_MEMBER_PROPOSAL_SENDER).senderKind());
    assertEquals(List.of("psk"), inspect(EXTERNAL_SENDER_WITH_PSK).otherProposals());

    InspectedCommit resync = inspect(BOB_RESYNCS);
    assertEquals(SenderKind.NEW_MEMBER_COMMIT, resync.senderKind());
    assertEquals(List.of(1), resync.removedLeaves());
    assertEquals("bob-laptop", resync.pathCredential().orElseThrow().deviceId());
    assertEquals(List.of(), inspect(DAVE_JOINS_EXTERNALLY).removedLeaves());
    assertEquals(List.of(2), inspect(BOB_RESYNCS_REMOVING_CAROL_INSTEAD).removedLeaves());
    assertEquals(List.of(1, 2), inspect(BOB_RESYNCS_ALSO_REMOVING_CAROL).removedLeaves());
    assertEquals(1, inspect(BOB_RESYNCS_ALSO_ADDING_DAVE).adds().size());
    assertTrue(inspect(BOB_RESYNCS_WITHOUT_PATH).pathCredential().isEmpty());
    assertEquals(SenderKind.NEW_MEMBER_COMMIT, inspect(BOB_RESYNCS_WITHOUT_PATH).senderKind());
    assertEquals(List.of(2), inspect(ALICE_REPLACES_CAROLS_LEAF).removedLeaves());
    assertEquals(
        "carol-phone", inspect(ALICE_REPLACES_CAROLS_LEAF).adds().get(0).credential().deviceId());

    // The honest commits are real: the members apply them.
    assertEquals(5, W.bob.handleCommit(ADD_DAVE).members().size());
    assertEquals(3, W.bob.handleCommit(ALICE_REMOVES_CAROL).members().size());
    assertEquals(4, W.alice.handleCommit(BOB_RESYNCS).members().size());
  }

  // ---- the helpers ----------------------------------------------------------------------------

  @Test
  void indexOfFindsTheDevicesLeafAndSkipsBlanks() {
    List<Leaf> leaves =
        Arrays.asList(
            null,
            PolicyWorld.leaf(W.bobLaptop, 1),
            null,
            PolicyWorld.leaf(W.bobPhone, 2),
            PolicyWorld.leaf(W.carolPhone, 3));
    assertEquals(1, CommitPolicy.indexOf(leaves, "bob-laptop"));
    assertEquals(3, CommitPolicy.indexOf(leaves, "bob-phone"));
    assertEquals(4, CommitPolicy.indexOf(leaves, "carol-phone"));
    assertEquals(-1, CommitPolicy.indexOf(leaves, "bob"), "a user id is not a device id");
    assertEquals(-1, CommitPolicy.indexOf(List.of(), "bob-laptop"));
  }

  @Test
  void packagesAreFoundByTheKeyDirectorysHashOfTheExactBytes() {
    byte[] bytes = W.daveKp.publicBytes();
    assertEquals(KeyDirectory.hash(bytes), CommitPolicy.keyHash(bytes));
    // The inspector hands back the uploaded bytes, so the hash finds the directory's record.
    assertEquals(
        KeyDirectory.hash(bytes),
        CommitPolicy.keyHash(inspect(ADD_DAVE).adds().get(0).keyPackage()));
    byte[] other = bytes.clone();
    other[other.length - 1] ^= 1;
    if (CommitPolicy.keyHash(other).equals(CommitPolicy.keyHash(bytes))) {
      fail("one changed byte, same hash");
    }
  }
}
