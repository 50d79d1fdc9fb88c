package org.liaison.crypto.mls;

import java.util.Arrays;
import org.bouncycastle.mls.TreeKEM.LeafIndex;
import org.bouncycastle.mls.TreeKEM.LeafNode;
import org.bouncycastle.mls.TreeKEM.LeafNodeSource;
import org.bouncycastle.mls.TreeKEM.TreeKEMPublicKey;
import org.bouncycastle.mls.codec.Extension;
import org.bouncycastle.mls.codec.GroupInfo;
import org.bouncycastle.mls.crypto.MlsCipherSuite;

/**
 * The checks of a GroupInfo that need no group secret (RFC 9420, sections 12.4.3.1 and 12.4.3.2):
 * its ratchet_tree extension hashes to the GroupContext's tree_hash, the tree's parent hashes hold,
 * the signer is a leaf of that tree, and the GroupInfo signature verifies under that leaf's
 * signature key.
 *
 * <p>Why here: bcmls 1.84 verifies the GroupInfo signature only when joining from a Welcome ({@code
 * Group(..., Welcome, ...)}); {@code Group.externalJoin} imports the tree (tree hash and parent
 * hashes) but never verifies the signature, and neither path verifies the leaves' own LeafNode
 * signatures. Callers hold the {@link Bcmls} lock.
 */
final class GroupInfoCheck {
  private GroupInfoCheck() {}

  /** A GroupInfo whose tree and signature verified; {@code signer} is its signer's leaf. */
  record Checked(TreeKEMPublicKey tree, int signer, LeafNode signerLeaf) {}

  static Checked check(GroupInfo info) throws Exception {
    MlsCipherSuite suite = info.getSuite();
    TreeKEMPublicKey tree = null;
    for (Extension extension : info.getExtensions()) {
      TreeKEMPublicKey found = extension.getRatchetTree();
      if (found != null) {
        if (tree != null) {
          throw invalid("the GroupInfo carries two ratchet trees");
        }
        tree = found;
      }
    }
    if (tree == null) {
      throw invalid("the GroupInfo carries no ratchet tree");
    }
    tree.setSuite(suite);
    tree.setHashAll();
    if (!Arrays.equals(tree.getRootHash(), info.getGroupContext().getTreeHash())) {
      throw invalid("the ratchet tree does not match the GroupInfo's tree hash");
    }
    int signer = info.getSigner().value();
    LeafNode leaf =
        signer >= 0 && signer < tree.getSize().leafCount()
            ? tree.getLeafNode(new LeafIndex(signer))
            : null;
    if (leaf == null) {
      throw invalid("the GroupInfo's signer " + signer + " is not a leaf of its tree");
    }
    if (!info.verify(suite, leaf.getSignatureKey())) {
      throw invalid("the GroupInfo signature does not verify under its signer's leaf key");
    }
    if (!leafSignatureValid(suite, tree, info.getGroupID(), signer)) {
      throw invalid("the signer's leaf node signature does not verify");
    }
    // Last: the costliest check, once everything cheaper holds.
    if (!tree.verifyParentHash()) {
      throw invalid("the ratchet tree's parent hashes do not verify");
    }
    return new Checked(tree, signer, leaf);
  }

  /**
   * Every leaf's LeafNode signature (binding its credential to its signature key) verifies: a tree
   * received in a GroupInfo or Welcome is otherwise taken on the word of the one member who sent
   * it.
   */
  static void checkLeaves(MlsCipherSuite suite, TreeKEMPublicKey tree, byte[] groupId)
      throws Exception {
    for (int i = 0; i < tree.getSize().leafCount(); i++) {
      if (tree.getLeafNode(new LeafIndex(i)) != null
          && !leafSignatureValid(suite, tree, groupId, i)) {
        throw invalid("the leaf node at " + i + " has a signature that does not verify");
      }
    }
  }

  private static boolean leafSignatureValid(
      MlsCipherSuite suite, TreeKEMPublicKey tree, byte[] groupId, int index) throws Exception {
    LeafNode leaf = tree.getLeafNode(new LeafIndex(index));
    // RFC 9420 section 7.2: key-package leaves are signed without group id and index.
    byte[] tbs =
        leaf.getSource() == LeafNodeSource.KEY_PACKAGE
            ? leaf.toBeSigned(null, -1)
            : leaf.toBeSigned(groupId, index);
    return leaf.verify(suite, tbs);
  }

  private static MlsException invalid(String message) {
    return new MlsException(MlsException.Reason.INVALID_GROUP_INFO, message);
  }
}
