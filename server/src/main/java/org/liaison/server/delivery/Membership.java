package org.liaison.server.delivery;

import java.util.ArrayList;
import java.util.List;
import org.liaison.server.channels.Leaf;
import org.liaison.server.delivery.LogEntry.LeafChange;

/**
 * Applies a commit's membership change to the leaves as RFC 9420 (section 12.3) does: removes blank
 * their leaves first, then each joiner takes the leftmost blank leaf or extends the tree. Trailing
 * blank leaves (which the RFC truncates) make no difference to where joiners land.
 */
final class Membership {
  private Membership() {}

  record Applied(List<Leaf> leaves, List<LeafChange> added, List<LeafChange> removed) {}

  static Applied apply(List<Leaf> before, CommitPolicy.Change change, long seq) {
    List<Leaf> leaves = new ArrayList<>(before);
    List<LeafChange> removed = new ArrayList<>();
    for (int index : change.removedLeaves()) {
      Leaf leaf = leaves.get(index);
      removed.add(new LeafChange(index, leaf.userId(), leaf.deviceId()));
      leaves.set(index, null);
    }
    List<LeafChange> added = new ArrayList<>();
    for (CommitPolicy.Joiner joiner : change.joiners()) {
      int index = leaves.indexOf(null);
      Leaf leaf = new Leaf(joiner.userId(), joiner.deviceId(), seq);
      if (index < 0) {
        index = leaves.size();
        leaves.add(leaf);
      } else {
        leaves.set(index, leaf);
      }
      added.add(new LeafChange(index, joiner.userId(), joiner.deviceId()));
    }
    while (!leaves.isEmpty() && leaves.get(leaves.size() - 1) == null) {
      leaves.remove(leaves.size() - 1);
    }
    return new Applied(leaves, added, removed);
  }

  /** Replays a logged commit's change (when a node catches up from the log). */
  static List<Leaf> replay(List<Leaf> before, LogEntry commit) {
    List<Leaf> leaves = new ArrayList<>(before);
    for (LeafChange c : commit.removed()) {
      if (c.leaf() < leaves.size()) {
        leaves.set(c.leaf(), null);
      }
    }
    for (LeafChange c : commit.added()) {
      while (leaves.size() <= c.leaf()) {
        leaves.add(null);
      }
      leaves.set(c.leaf(), new Leaf(c.userId(), c.deviceId(), commit.seq()));
    }
    while (!leaves.isEmpty() && leaves.get(leaves.size() - 1) == null) {
      leaves.remove(leaves.size() - 1);
    }
    return leaves;
  }
}
