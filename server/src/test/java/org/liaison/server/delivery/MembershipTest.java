package org.liaison.server.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.liaison.server.delivery.PolicyWorld.shape;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.liaison.crypto.mls.ChannelGroupId;
import org.liaison.crypto.mls.ChannelPolicy;
import org.liaison.crypto.mls.ChannelSession;
import org.liaison.crypto.mls.DeviceIdentity;
import org.liaison.crypto.mls.KeyPackageSecrets;
import org.liaison.server.accounts.Role;
import org.liaison.server.accounts.Tier;
import org.liaison.server.accounts.User;
import org.liaison.server.accounts.UserStatus;
import org.liaison.server.channels.Leaf;
import org.liaison.server.delivery.LogEntry.LeafChange;
import org.liaison.server.devices.Device;
import org.liaison.server.devices.DeviceStatus;
import org.liaison.server.keydirectory.KeyDirectory.StoredPackage;
import org.liaison.server.organisations.Sector;

/**
 * Every leaf-tracking rule of {@link Membership}: where an accepted commit puts its joiners (RFC
 * 9420 section 12.3: removes blank their leaves first, then each joiner takes the leftmost blank
 * leaf or extends the tree), what it records as added and removed, and how a node replays the log.
 * The named cases state the rules; the last test checks the server's bookkeeping against the leaf
 * indexes bcmls itself assigns in a real group.
 */
class MembershipTest {
  /** Leaf "x" is device x of user u-x, put there by the commit at seq {@code addedAt}. */
  static Leaf leaf(String device, long addedAt) {
    return new Leaf("u-" + device, device, addedAt);
  }

  /** Leaves from tokens: a device name, or "_" for a blank leaf; all added at seq 1. */
  static List<Leaf> leaves(String tokens) {
    List<Leaf> out = new ArrayList<>();
    for (String t : tokens.isEmpty() ? new String[0] : tokens.split(" ")) {
      out.add(t.equals("_") ? null : leaf(t, 1));
    }
    return out;
  }

  static List<String> tokens(List<Leaf> leaves) {
    return leaves.stream().map(l -> l == null ? "_" : l.deviceId()).toList();
  }

  static CommitPolicy.Joiner joiner(String device) {
    return new CommitPolicy.Joiner("u-" + device, device, null);
  }

  static LeafChange change(int leaf, String device) {
    return new LeafChange(leaf, "u-" + device, device);
  }

  /**
   * One commit's change applied to {@code before}: the resulting leaves, and the added and removed
   * leaf changes, as "index:device" tokens in the order recorded.
   */
  record Case(
      String name,
      String before,
      List<Integer> removed,
      List<String> joiners,
      String after,
      List<String> addedAt,
      List<String> removedFrom) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> applyCases() {
    return Stream.of(
        new Case(
            "a joiner extends a full tree", "a", List.of(), List.of("x"), "a x", l("1:x"), l()),
        new Case(
            "joiners take the leftmost blank leaves, then extend",
            "a _ c _ e",
            List.of(),
            List.of("x", "y", "z"),
            "a x c y e z",
            l("1:x", "3:y", "5:z"),
            l()),
        new Case(
            "removes blank their leaves before anyone joins",
            "a b c",
            List.of(0),
            List.of("x"),
            "x b c",
            l("0:x"),
            l("0:a")),
        new Case(
            "a removed interior leaf stays blank",
            "a b c",
            List.of(1),
            List.of(),
            "a _ c",
            l(),
            l("1:b")),
        new Case(
            "trailing blank leaves are truncated",
            "a b c d",
            List.of(2, 3),
            List.of(),
            "a b",
            l(),
            l("2:c", "3:d")),
        new Case(
            "a joiner lands where the RFC's truncate-then-extend puts it",
            "a b c d",
            List.of(2, 3),
            List.of("x"),
            "a b x",
            l("2:x"),
            l("2:c", "3:d")),
        new Case(
            "fewer joiners than removes: the rightmost blanks go",
            "a b c d",
            List.of(1, 3),
            List.of("x"),
            "a x c",
            l("1:x"),
            l("1:b", "3:d")),
        new Case(
            "removals are recorded in the commit's order",
            "a b c d e",
            List.of(3, 1),
            List.of(),
            "a _ c _ e",
            l(),
            l("3:d", "1:b")),
        new Case(
            "a resync takes its own blanked leaf back when it is the leftmost",
            "a b c",
            List.of(1),
            List.of("b"),
            "a b c",
            l("1:b"),
            l("1:b")),
        new Case(
            "a resync moves to an earlier blank leaf",
            "a _ c b",
            List.of(3),
            List.of("b"),
            "a b c",
            l("1:b"),
            l("3:b")),
        new Case(
            "a sole member's resync keeps leaf 0",
            "a",
            List.of(0),
            List.of("a"),
            "a",
            l("0:a"),
            l("0:a")),
        new Case(
            "the last leaf removed leaves none", "a", List.of(0), List.of(), "", l(), l("0:a")),
        new Case(
            "an empty change changes nothing", "a _ c", List.of(), List.of(), "a _ c", l(), l()));
  }

  private static List<String> l(String... items) {
    return List.of(items);
  }

  static List<String> recorded(List<LeafChange> changes) {
    List<String> out = new ArrayList<>();
    for (LeafChange c : changes) {
      // userId checked too: it must be the leaf's (removed) or the joiner's (added)
      assertEquals("u-" + c.deviceId(), c.userId());
      out.add(c.leaf() + ":" + c.deviceId());
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("applyCases")
  void applyPlacesJoinersAndRecordsTheChange(Case c) {
    List<Leaf> before = leaves(c.before());
    List<Leaf> snapshot = new ArrayList<>(before);
    CommitPolicy.Change change =
        new CommitPolicy.Change(
            c.removed(), c.joiners().stream().map(MembershipTest::joiner).toList());

    Membership.Applied applied = Membership.apply(before, change, 42);

    assertEquals(
        Arrays.asList(c.after().isEmpty() ? new String[0] : c.after().split(" ")),
        tokens(applied.leaves()));
    assertEquals(c.addedAt(), recorded(applied.added()), "added");
    assertEquals(c.removedFrom(), recorded(applied.removed()), "removed");
    assertEquals(snapshot, before, "the caller's leaves are not modified");
    assertNotSame(before, applied.leaves());
    // Joiners carry the commit's seq; everyone else keeps the seq that put them there.
    for (LeafChange a : applied.added()) {
      assertEquals(42, applied.leaves().get(a.leaf()).addedAt(), "joiner at " + a.leaf());
    }
    for (int i = 0; i < applied.leaves().size(); i++) {
      Leaf l = applied.leaves().get(i);
      int index = i;
      boolean joined = applied.added().stream().anyMatch(a -> a.leaf() == index);
      if (l != null && !joined) {
        assertEquals(1, l.addedAt(), "untouched leaf " + i);
      }
    }
  }

  /** A node catching up from the log ends where the node that wrote the entry did. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("applyCases")
  void replayingTheLoggedEntryGivesTheSameLeaves(Case c) {
    List<Leaf> before = leaves(c.before());
    CommitPolicy.Change change =
        new CommitPolicy.Change(
            c.removed(), c.joiners().stream().map(MembershipTest::joiner).toList());
    Membership.Applied applied = Membership.apply(before, change, 42);
    List<Leaf> snapshot = new ArrayList<>(before);

    List<Leaf> replayed = Membership.replay(before, entry(42, applied.added(), applied.removed()));

    assertEquals(applied.leaves(), replayed, "leaves, addedAt included");
    assertEquals(snapshot, before, "the caller's leaves are not modified");
  }

  static LogEntry entry(long seq, List<LeafChange> added, List<LeafChange> removed) {
    return new LogEntry(
        "ch",
        seq,
        LogEntry.Kind.COMMIT,
        3,
        "u-a",
        "a",
        Instant.parse("2025-03-01T12:00:00Z"),
        new byte[] {1},
        "client-1",
        added,
        removed);
  }

  record ReplayCase(
      String name, String before, List<LeafChange> added, List<LeafChange> removed, String after) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<ReplayCase> replayCases() {
    return Stream.of(
        new ReplayCase(
            "a removal past the last leaf is ignored",
            "a b",
            List.of(),
            List.of(change(5, "z")),
            "a b"),
        new ReplayCase(
            "a removal blanks the leaf whatever device it names",
            "a b c",
            List.of(),
            List.of(change(1, "not-b")),
            "a _ c"),
        new ReplayCase(
            "an add past the end pads with blank leaves",
            "a",
            List.of(change(3, "x")),
            List.of(),
            "a _ _ x"),
        new ReplayCase(
            "an add overwrites the leaf at its recorded index",
            "a b",
            List.of(change(1, "x")),
            List.of(),
            "a x"),
        new ReplayCase(
            "removals come before adds at the same leaf",
            "a b c",
            List.of(change(1, "b")),
            List.of(change(1, "b")),
            "a b c"),
        new ReplayCase(
            "trailing blank leaves are truncated",
            "a b c",
            List.of(),
            List.of(change(2, "c"), change(1, "b")),
            "a"),
        new ReplayCase(
            "everything removed leaves no leaves", "a", List.of(), List.of(change(0, "a")), ""));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("replayCases")
  void replayFollowsTheRecordedIndexes(ReplayCase c) {
    List<Leaf> before = leaves(c.before());
    List<Leaf> snapshot = new ArrayList<>(before);
    List<Leaf> after = Membership.replay(before, entry(77, c.added(), c.removed()));
    assertEquals(
        Arrays.asList(c.after().isEmpty() ? new String[0] : c.after().split(" ")), tokens(after));
    for (LeafChange a : c.added()) {
      Leaf l = after.get(a.leaf());
      assertEquals(new Leaf(a.userId(), a.deviceId(), 77), l, "an added leaf carries the seq");
    }
    assertEquals(snapshot, before, "the caller's leaves are not modified");
  }

  // ---- against a real group ------------------------------------------------------------------

  /**
   * A real group through adds, removes that truncate the tree, and an external-commit resync: after
   * each commit, the leaves the server derives (CommitPolicy then Membership, as the delivery
   * service does) are the leaves bcmls has, index for index, and replaying the logged change gives
   * them too.
   */
  @Test
  void theServersLeavesFollowARealGroup() {
    RealGroup g = new RealGroup("a", "b", "c", "d", "e", "f", "g", "h", "i");
    g.byAlice(g.alice.add(g.issue("b", "c", "d", "e")), "a b c d e");
    g.byAlice(g.alice.remove(m -> m.deviceId().equals("c")), "a b _ d e");
    g.byAlice(g.alice.remove(m -> List.of("d", "e").contains(m.deviceId())), "a b");
    g.byAlice(g.alice.add(g.issue("f", "g")), "a b f g");
    // g lost its state: its external commit removes its leaf 3 and takes it back.
    ChannelSession.PendingCommit resync =
        ChannelSession.resync(g.ids.get("g"), g.alice.groupInfo(), PolicyWorld.trust());
    g.accept(resync.commit(), g.ids.get("g"), resync.next(), "a b f g");
    g.alice = g.alice.handleCommit(resync.commit());
    g.byAlice(g.alice.remove(m -> m.deviceId().equals("b")), "a _ f g");
    g.byAlice(g.alice.add(g.issue("h", "i")), "a h f g i");
    g.byAlice(g.alice.remove(m -> List.of("f", "g").contains(m.deviceId())), "a h _ _ i");
    g.byAlice(g.alice.add(g.issue("b")), "a h b _ i");
    // i resyncs with a blank leaf to the left of its own: it moves to leaf 3, as the joiner's own
    // bcmls tree (RFC 9420 12.4.3.2: the joiner takes the leftmost blank) and the server agree.
    // (bcmls 1.84 members then refuse this commit, "Commit path has invalid leaf node", so the
    // group goes no further here.)
    ChannelSession.PendingCommit moving =
        ChannelSession.resync(g.ids.get("i"), g.alice.groupInfo(), PolicyWorld.trust());
    g.accept(moving.commit(), g.ids.get("i"), moving.next(), "a h b i");
  }

  /**
   * A real group that device "a" created, and the server's view of it: everyone an owner (any
   * removal is allowed; who may remove is CommitPolicyTest's business), everyone active.
   */
  private static final class RealGroup {
    final ChannelPolicy policy = PolicyWorld.policy(0);
    final ChannelGroupId groupId = ChannelGroupId.create(policy);
    final Map<String, DeviceIdentity> ids = new HashMap<>();
    final Map<String, User> users = new HashMap<>();
    final Map<String, Device> devices = new HashMap<>();
    final Map<String, StoredPackage> packages = new HashMap<>();
    ChannelSession alice;
    List<Leaf> leaves = List.of(new Leaf("u-a", "a", 0));
    long seq = 0;

    RealGroup(String... names) {
      for (String name : names) {
        DeviceIdentity id = PolicyWorld.identity("u-" + name, name, 2, "youth-work");
        ids.put(name, id);
        users.put(
            id.userId(),
            PolicyWorld.user(
                id.userId(),
                Tier.T2,
                Sector.YOUTH_WORK,
                Role.MEMBER,
                PolicyWorld.CITY,
                UserStatus.ACTIVE));
        devices.put(name, PolicyWorld.device(id, DeviceStatus.ACTIVE));
      }
      // Trust.anyone(): the server's bookkeeping is under test, not the clients' trust.
      alice = ChannelSession.create(ids.get("a"), groupId.encode(), PolicyWorld.trust());
    }

    /** Fresh key packages of these devices, recorded as handed out by the directory. */
    List<byte[]> issue(String... names) {
      List<byte[]> out = new ArrayList<>();
      for (String n : names) {
        KeyPackageSecrets kp = ChannelSession.newKeyPackage(ids.get(n));
        StoredPackage p = PolicyWorld.stored(ids.get(n), kp, true);
        packages.put(p.hash(), p);
        out.add(kp.publicBytes());
      }
      return out;
    }

    /**
     * Runs a commit through the server's rules and bookkeeping, as the delivery service does, and
     * checks the result against the committer's bcmls tree, the expected tokens and a replay.
     */
    void accept(byte[] commit, DeviceIdentity poster, ChannelSession next, String expected) {
      seq++;
      CommitPolicy.Change change =
          CommitPolicy.check(
              new CommitPolicy.Facts(
                  PolicyWorld.channel(
                      groupId.encode(),
                      policy,
                      leaves,
                      users.keySet().stream().sorted().toList(),
                      List.of()),
                  users.get(poster.userId()),
                  poster.deviceId(),
                  PolicyWorld.inspect(commit),
                  Map.copyOf(packages),
                  Map.copyOf(devices),
                  Map.copyOf(users)));
      Membership.Applied applied = Membership.apply(leaves, change, seq);
      assertEquals(shape(next), shape(applied.leaves()), "bcmls's leaves at seq " + seq);
      assertEquals(expected, String.join(" ", tokens(applied.leaves())), "seq " + seq);
      assertEquals(
          applied.leaves(),
          Membership.replay(leaves, entry(seq, applied.added(), applied.removed())),
          "replay at seq " + seq);
      leaves = applied.leaves();
    }

    void byAlice(ChannelSession.PendingCommit pending, String expected) {
      accept(pending.commit(), ids.get("a"), pending.next(), expected);
      alice = pending.next();
    }
  }
}
