package org.liaison.crypto.mls;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.mls.TreeKEM.LeafNode;
import org.bouncycastle.mls.codec.Commit;
import org.bouncycastle.mls.codec.ContentType;
import org.bouncycastle.mls.codec.FramedContent;
import org.bouncycastle.mls.codec.MLSInputStream;
import org.bouncycastle.mls.codec.MLSMessage;
import org.bouncycastle.mls.codec.MLSOutputStream;
import org.bouncycastle.mls.codec.Proposal;
import org.bouncycastle.mls.codec.ProposalOrRef;
import org.bouncycastle.mls.codec.ProposalOrRefType;
import org.bouncycastle.mls.codec.Sender;
import org.bouncycastle.mls.codec.SenderType;
import org.bouncycastle.mls.codec.UpdatePath;
import org.bouncycastle.mls.codec.WireFormat;
import org.liaison.crypto.codec.DecodeException;

/**
 * What the delivery service (the server) can read from MLS handshake messages without any group
 * secret: a commit's group, epoch, sender and proposals (the key packages it adds, the leaves it
 * removes), the group and epoch of an application message or GroupInfo, and whether a Welcome is
 * well-formed, and a GroupInfo's signature under its signer's leaf in the tree it carries. A
 * commit's own signature, membership tag and confirmation tag are not verified here: that takes the
 * group's secrets and current tree, which only members hold (docs/crypto.md).
 *
 * <p>Inputs are untrusted: over {@link #MAX_MESSAGE_BYTES} is refused before parsing, the wire
 * structure is bounds-checked before bcmls allocates anything ({@code MlsWire}), trailing bytes and
 * non-canonical encodings are refused, and every failure is an {@link MlsException}.
 */
public final class HandshakeInspector {
  /** The same cap as {@link ChannelSession}: larger inputs are refused before parsing. */
  public static final int MAX_MESSAGE_BYTES = 1 << 20;

  private static final int HEADER = 4; // version(2) wire_format(2)

  private HandshakeInspector() {}

  /** Who sent a commit: a member at a leaf, a device joining by external commit, or other. */
  public enum SenderKind {
    MEMBER,
    NEW_MEMBER_COMMIT,
    OTHER
  }

  /**
   * A device an Add brings in. {@code keyPackage} is the MLSMessage(key_package) encoding, byte for
   * byte what the device uploaded, so the key directory can find it by its hash.
   */
  public record AddedMember(byte[] keyPackage, MemberCredential credential, byte[] signatureKey) {}

  /**
   * A commit as the delivery service sees it. {@code senderLeaf} is -1 unless the sender is a
   * {@code MEMBER}. {@code otherProposals} names proposals other than add, remove, update and
   * external_init ("psk", "reinit", "group_context_extensions"). The path fields come from the
   * commit's UpdatePath leaf node, when it has one.
   */
  public record InspectedCommit(
      byte[] groupId,
      long epoch,
      SenderKind senderKind,
      int senderLeaf,
      List<AddedMember> adds,
      List<Integer> removedLeaves,
      int updates,
      boolean externalInit,
      List<String> otherProposals,
      boolean hasProposalReferences,
      Optional<MemberCredential> pathCredential,
      Optional<byte[]> pathSignatureKey) {
    public InspectedCommit {
      adds = List.copyOf(adds);
      removedLeaves = List.copyOf(removedLeaves);
      otherProposals = List.copyOf(otherProposals);
    }
  }

  /** The group and epoch of an application message (its content stays encrypted). */
  public record InspectedApplication(byte[] groupId, long epoch) {}

  /**
   * The group and epoch a verified GroupInfo describes, and its signer: the leaf index, and the
   * credential and signature key of that leaf in the GroupInfo's own ratchet tree.
   */
  public record InspectedGroupInfo(
      byte[] groupId,
      long epoch,
      int signerLeaf,
      MemberCredential signerCredential,
      byte[] signerKey) {}

  // ---- commits ------------------------------------------------------------------------------

  /**
   * Reads an MLSMessage that must be a PublicMessage carrying a commit. {@code NOT_A_COMMIT} for
   * any other well-formed MLS message, {@code MALFORMED} for anything else.
   */
  public static InspectedCommit commit(byte[] mlsMessage) {
    MLSMessage message = decode(mlsMessage);
    if (message.wireFormat != WireFormat.mls_public_message) {
      throw new MlsException(
          MlsException.Reason.NOT_A_COMMIT, "not a PublicMessage (" + message.wireFormat + ")");
    }
    // bcmls keeps PublicMessage.content package-private; a PublicMessage starts with its
    // FramedContent, so read that again from the bytes after the MLSMessage header.
    FramedContent content =
        run(
            () ->
                new FramedContent(
                    new MLSInputStream(Arrays.copyOfRange(mlsMessage, HEADER, mlsMessage.length))));
    if (content.getContentType() != ContentType.COMMIT) {
      throw new MlsException(
          MlsException.Reason.NOT_A_COMMIT,
          "a PublicMessage carrying " + content.getContentType() + ", not a commit");
    }
    return run(() -> inspect(content));
  }

  private static InspectedCommit inspect(FramedContent content) throws Exception {
    Sender sender = content.getSender();
    SenderKind kind;
    int senderLeaf = -1;
    if (sender.getSenderType() == SenderType.MEMBER) {
      kind = SenderKind.MEMBER;
      senderLeaf = sender.getSender().value();
    } else if (sender.getSenderType() == SenderType.NEW_MEMBER_COMMIT) {
      kind = SenderKind.NEW_MEMBER_COMMIT;
    } else {
      kind = SenderKind.OTHER;
    }

    Commit commit = content.getCommit();
    List<AddedMember> adds = new ArrayList<>();
    List<Integer> removed = new ArrayList<>();
    List<String> others = new ArrayList<>();
    int updates = 0;
    boolean externalInit = false;
    boolean references = false;
    for (ProposalOrRef item : commit.getProposals()) {
      if (item.getType() == ProposalOrRefType.REFERENCE) {
        references = true;
        continue;
      }
      if (item.getType() != ProposalOrRefType.PROPOSAL || item.getProposal() == null) {
        throw new MlsException(MlsException.Reason.MALFORMED, "unknown ProposalOrRef type");
      }
      Proposal proposal = item.getProposal();
      switch (proposal.getProposalType()) {
        case ADD -> adds.add(added(proposal.getAdd()));
        case REMOVE -> removed.add(proposal.getRemove().removed.value());
        case UPDATE -> updates++;
        case EXTERNAL_INIT -> externalInit = true;
        case PSK -> others.add("psk");
        case REINIT -> others.add("reinit");
        case GROUP_CONTEXT_EXTENSIONS -> others.add("group_context_extensions");
        default ->
            throw new MlsException(
                MlsException.Reason.MALFORMED,
                "unknown proposal type " + proposal.getProposalType());
      }
    }

    Optional<MemberCredential> pathCredential = Optional.empty();
    Optional<byte[]> pathKey = Optional.empty();
    UpdatePath path = commit.getUpdatePath();
    if (path != null) {
      LeafNode leaf = path.getLeafNode();
      pathCredential = Optional.of(credentialOf(leaf));
      pathKey = Optional.of(leaf.getSignatureKey().clone());
    }
    return new InspectedCommit(
        content.getGroupID().clone(),
        content.getEpoch(),
        kind,
        senderLeaf,
        adds,
        removed,
        updates,
        externalInit,
        others,
        references,
        pathCredential,
        pathKey);
  }

  private static AddedMember added(Proposal.Add add) throws Exception {
    LeafNode leaf = add.keyPackage.getLeafNode();
    byte[] keyPackage = MLSOutputStream.encode(MLSMessage.keyPackage(add.keyPackage));
    return new AddedMember(keyPackage, credentialOf(leaf), leaf.getSignatureKey().clone());
  }

  private static MemberCredential credentialOf(LeafNode leaf) {
    return LeafCredentials.read(leaf, MlsException.Reason.MALFORMED);
  }

  // ---- application messages, GroupInfo, Welcome ---------------------------------------------

  /** Reads an MLSMessage that must be a PrivateMessage carrying an application message. */
  public static InspectedApplication application(byte[] mlsMessage) {
    MLSMessage message = decode(mlsMessage);
    if (message.wireFormat != WireFormat.mls_private_message
        || message.getContentType() != ContentType.APPLICATION) {
      throw new MlsException(
          MlsException.Reason.NOT_AN_APPLICATION_MESSAGE,
          "not a PrivateMessage application message");
    }
    PrivateMessageSender.Fields fields = run(() -> PrivateMessageSender.parse(mlsMessage));
    return new InspectedApplication(fields.groupId(), fields.epoch());
  }

  /**
   * Reads an MLSMessage that must be a GroupInfo ({@code MALFORMED} otherwise) and verifies it
   * without group secrets ({@code INVALID_GROUP_INFO} otherwise): it carries a ratchet tree that
   * hashes to its GroupContext's tree hash, with valid parent hashes, its signer is a leaf of that
   * tree whose own leaf signature verifies, and the GroupInfo signature verifies under that leaf's
   * key. What it cannot tell: that the tree is the group's real one, or that the confirmation tag
   * is right (members check both when they use it).
   */
  public static InspectedGroupInfo groupInfo(byte[] mlsMessage) {
    MLSMessage message = decode(mlsMessage);
    if (message.wireFormat != WireFormat.mls_group_info || message.groupInfo == null) {
      throw new MlsException(MlsException.Reason.MALFORMED, "not a GroupInfo");
    }
    GroupInfoCheck.Checked checked = run(() -> GroupInfoCheck.check(message.groupInfo));
    return run(
        () ->
            new InspectedGroupInfo(
                message.groupInfo.getGroupID().clone(),
                message.groupInfo.getEpoch(),
                checked.signer(),
                credentialOf(checked.signerLeaf()),
                checked.signerLeaf().getSignatureKey().clone()));
  }

  /** Checks that an MLSMessage is a well-formed Welcome (it cannot be opened without keys). */
  public static void welcome(byte[] mlsMessage) {
    MLSMessage message = decode(mlsMessage);
    if (message.wireFormat != WireFormat.mls_welcome || message.welcome == null) {
      throw new MlsException(MlsException.Reason.MALFORMED, "not a Welcome");
    }
  }

  // ---- decoding -----------------------------------------------------------------------------

  /**
   * Size cap, bounds-checked walk, bcmls decode, and a re-encoding that must give the same bytes
   * (no trailing bytes, one encoding per message: what is hashed is what was checked).
   */
  private static MLSMessage decode(byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      throw new MlsException(MlsException.Reason.MALFORMED, "no MLS message");
    }
    if (bytes.length > MAX_MESSAGE_BYTES) {
      throw new MlsException(
          MlsException.Reason.MALFORMED, "MLS message over " + MAX_MESSAGE_BYTES + " bytes");
    }
    run(() -> MlsWire.check(bytes));
    MLSMessage message = run(() -> (MLSMessage) MLSInputStream.decode(bytes, MLSMessage.class));
    byte[] again = run(() -> MLSOutputStream.encode(message));
    if (!Arrays.equals(again, bytes)) {
      throw new MlsException(MlsException.Reason.MALFORMED, "not the canonical encoding");
    }
    return message;
  }

  private interface Action<T> {
    T run() throws Exception;
  }

  /**
   * bcmls throws IOException, RuntimeExceptions and AssertionErrors on bad input: all MALFORMED.
   */
  private static <T> T run(Action<T> action) {
    try {
      return Bcmls.exclusively(action::run);
    } catch (MlsException e) {
      throw e;
    } catch (DecodeException e) {
      throw new MlsException(MlsException.Reason.MALFORMED, e.getMessage(), e);
    } catch (Exception | AssertionError e) {
      throw new MlsException(
          MlsException.Reason.MALFORMED,
          e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(),
          e);
    }
  }
}
