package org.liaison.server.delivery;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.liaison.crypto.mls.HandshakeInspector;
import org.liaison.crypto.mls.HandshakeInspector.InspectedCommit;
import org.liaison.crypto.mls.MemberCredential;
import org.liaison.server.access.AccessRules;
import org.liaison.server.accounts.Role;
import org.liaison.server.accounts.User;
import org.liaison.server.api.ApiError;
import org.liaison.server.channels.Channel;
import org.liaison.server.channels.Leaf;
import org.liaison.server.channels.Policies;
import org.liaison.server.devices.Device;
import org.liaison.server.devices.DeviceStatus;
import org.liaison.server.keydirectory.KeyDirectory.StoredPackage;

/**
 * The delivery service's rules for a commit, in one place: who sent it, who it adds, who it
 * removes. Pure: it decides from facts the caller loaded, so the rules are tested without a store.
 * Clients check the same membership cryptographically; this is the server refusing early and
 * recording why.
 */
final class CommitPolicy {
  private CommitPolicy() {}

  /** Everything the rules look at. Maps are keyed by package hash, device id and user id. */
  record Facts(
      Channel channel,
      User actor,
      String actorDeviceId,
      InspectedCommit commit,
      Map<String, StoredPackage> packages,
      Map<String, Device> devices,
      Map<String, User> users) {}

  /** A device the commit brings in, and the package that brought it (null for a resync). */
  record Joiner(String userId, String deviceId, StoredPackage keyPackage) {}

  /** What an accepted commit does to the membership, before leaves are assigned. */
  record Change(List<Integer> removedLeaves, List<Joiner> joiners) {}

  static Change check(Facts facts) {
    InspectedCommit commit = facts.commit();
    List<Leaf> leaves = facts.channel().leaves();
    if (commit.hasProposalReferences()) {
      throw violation("proposal-by-reference", "Commits must carry their proposals by value", null);
    }
    if (!commit.otherProposals().isEmpty()) {
      throw violation(
          "proposal-type",
          "Only add, remove and update proposals are allowed; the policy cannot change",
          null);
    }
    List<Joiner> joiners = new ArrayList<>();
    switch (commit.senderKind()) {
      case MEMBER -> {
        int leaf = commit.senderLeaf();
        Leaf sender = leaf >= 0 && leaf < leaves.size() ? leaves.get(leaf) : null;
        if (sender == null || !sender.deviceId().equals(facts.actorDeviceId())) {
          throw senderMismatch("The commit is signed for another member's leaf");
        }
        // An update path replaces the committer's leaf: it must still name the same user and
        // device.
        if (commit.pathCredential().filter(c -> !namesActor(facts, c)).isPresent()) {
          throw senderMismatch("The commit's new leaf names another user or device");
        }
      }
      case NEW_MEMBER_COMMIT -> {
        // Resync: a device that lost its state rejoins and removes its own old leaf, nothing more.
        int own = indexOf(leaves, facts.actorDeviceId());
        boolean onlyOwnLeaf =
            commit.removedLeaves().isEmpty()
                || (commit.removedLeaves().size() == 1 && commit.removedLeaves().get(0) == own);
        boolean sameDevice = commit.pathCredential().filter(c -> namesActor(facts, c)).isPresent();
        if (own < 0 || !onlyOwnLeaf || !commit.adds().isEmpty() || !sameDevice) {
          throw senderMismatch(
              "An external commit may only bring back this device in place of its own old leaf");
        }
        joiners.add(new Joiner(facts.actor().id(), facts.actorDeviceId(), null));
      }
      default -> throw senderMismatch("Only members and resyncing members may commit");
    }
    Set<Integer> removing = new HashSet<>();
    for (int removed : commit.removedLeaves()) {
      checkRemove(facts, removed);
      if (!removing.add(removed)) {
        // RFC 9420 §12.2 forbids it, and the leaf bookkeeping could not apply it.
        throw violation(
            "duplicate-remove",
            "The commit removes the same member twice",
            facts.channel().leaves().get(removed).userId());
      }
    }
    Set<String> adding = new HashSet<>();
    for (HandshakeInspector.AddedMember add : commit.adds()) {
      Joiner joiner = checkAdd(facts, add);
      if (!adding.add(joiner.deviceId())) {
        throw violation("device-already-member", "The same device is added twice", joiner.userId());
      }
      joiners.add(joiner);
    }
    return new Change(List.copyOf(commit.removedLeaves()), joiners);
  }

  private static Joiner checkAdd(Facts facts, HandshakeInspector.AddedMember add) {
    StoredPackage stored = facts.packages().get(keyHash(add.keyPackage()));
    String claimedUser = add.credential().userId();
    if (stored == null || !stored.issued()) {
      throw violation(
          "key-package-not-issued",
          "Members can only be added with key packages this server handed out",
          claimedUser);
    }
    Device device = facts.devices().get(stored.deviceId());
    User user = facts.users().get(stored.userId());
    if (device == null || user == null || device.status() == DeviceStatus.REVOKED) {
      throw violation("device-revoked", "That device was revoked", stored.userId());
    }
    if (!device.active()) {
      throw violation(
          "device-not-attested",
          device.status() == DeviceStatus.PENDING
              ? "That device waits for a coordinator to confirm it again"
              : "That device has no tier attestation yet",
          stored.userId());
    }
    if (!user.active()) {
      throw violation("user-suspended", user.displayName() + " is suspended", user.id());
    }
    Policies.explain(facts.channel().policy(), user)
        .ifPresent(
            broken -> {
              throw violation(broken.rule(), broken.message(), user.id());
            });
    if (indexOf(facts.channel().leaves(), device.id()) >= 0) {
      throw violation("device-already-member", "That device is already in the channel", user.id());
    }
    return new Joiner(user.id(), device.id(), stored);
  }

  private static void checkRemove(Facts facts, int leafIndex) {
    List<Leaf> leaves = facts.channel().leaves();
    Leaf leaf = leafIndex >= 0 && leafIndex < leaves.size() ? leaves.get(leafIndex) : null;
    if (leaf == null) {
      throw violation("no-such-member", "The commit removes an empty leaf", null);
    }
    if (facts.commit().senderKind() == HandshakeInspector.SenderKind.NEW_MEMBER_COMMIT) {
      return; // checked above: only the resyncing device's own old leaf
    }
    User actor = facts.actor();
    User removed = facts.users().get(leaf.userId());
    Device device = facts.devices().get(leaf.deviceId());
    boolean allowed =
        leaf.userId().equals(actor.id())
            || facts.channel().owners().contains(actor.id())
            || facts.channel().leaving().contains(leaf.userId())
            || AccessRules.isAdmin(actor)
            || (actor.role() == Role.CITY_COORDINATOR
                && removed != null
                && actor.cityId() != null
                && actor.cityId().equals(removed.cityId()))
            // Healing after a revocation or suspension is everyone's business, and so is removing
            // a member who no longer meets the policy (a lowered tier): clients pause until then.
            || removed == null
            || !removed.active()
            || Policies.breaks(facts.channel().policy(), removed) != null
            || device == null
            || device.status() == DeviceStatus.REVOKED;
    if (!allowed) {
      throw violation(
          "remove-not-allowed",
          "Only the member, the channel's owners or the member's city coordinator can remove them",
          leaf.userId());
    }
  }

  /** The credential names the user and device that post the commit. */
  private static boolean namesActor(Facts facts, MemberCredential credential) {
    return credential.userId().equals(facts.actor().id())
        && credential.deviceId().equals(facts.actorDeviceId());
  }

  static int indexOf(List<Leaf> leaves, String deviceId) {
    for (int i = 0; i < leaves.size(); i++) {
      if (leaves.get(i) != null && leaves.get(i).deviceId().equals(deviceId)) {
        return i;
      }
    }
    return -1;
  }

  static String keyHash(byte[] keyPackage) {
    return org.liaison.server.keydirectory.KeyDirectory.hash(keyPackage);
  }

  private static ApiError violation(String rule, String message, String userId) {
    JsonObject details = new JsonObject().put("rule", rule);
    if (userId != null) {
      details.put("userId", userId);
    }
    return new ApiError(403, "policy-violation", message, details);
  }

  private static ApiError senderMismatch(String message) {
    return new ApiError(403, "sender-mismatch", message);
  }
}
