package org.liaison.crypto.mls;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.mls.TreeKEM.LeafIndex;
import org.bouncycastle.mls.TreeKEM.LeafNode;
import org.bouncycastle.mls.TreeKEM.LifeTime;
import org.bouncycastle.mls.TreeKEM.TreeKEMPublicKey;
import org.bouncycastle.mls.codec.Capabilities;
import org.bouncycastle.mls.codec.ContentType;
import org.bouncycastle.mls.codec.Credential;
import org.bouncycastle.mls.codec.Extension;
import org.bouncycastle.mls.codec.KeyPackage;
import org.bouncycastle.mls.codec.MLSInputStream;
import org.bouncycastle.mls.codec.MLSMessage;
import org.bouncycastle.mls.codec.MLSOutputStream;
import org.bouncycastle.mls.codec.Proposal;
import org.bouncycastle.mls.codec.WireFormat;
import org.bouncycastle.mls.crypto.MlsCipherSuite;
import org.bouncycastle.mls.crypto.Secret;
import org.bouncycastle.mls.protocol.Group;
import org.liaison.crypto.codec.DecodeException;

/**
 * One device's view of one channel's MLS group (RFC 9420), over Bouncy Castle's bcmls. Immutable: a
 * commit returns a {@link PendingCommit} holding the next session, which the caller adopts once the
 * delivery service has accepted the commit for this epoch (and drops if another commit won).
 * Handshake messages travel as PublicMessage, so the delivery service can check membership changes;
 * application messages as PrivateMessage.
 */
public final class ChannelSession {
  public static final short DEFAULT_SUITE =
      MlsCipherSuite.MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int MAX_MESSAGE = 1 << 20;

  private final DeviceIdentity device;
  private final TrustedLeaves trusted;
  private final Group group;

  private ChannelSession(DeviceIdentity device, TrustedLeaves trusted, Group group) {
    this.device = device;
    this.trusted = trusted;
    this.group = group;
  }

  /** A member of the channel: one device of one user, at one leaf. */
  public record Member(int leaf, String userId, String deviceId, byte[] signatureKey) {}

  /** A commit to send, its Welcome (when it adds members), and the state to adopt once accepted. */
  public record PendingCommit(byte[] commit, Optional<byte[]> welcome, ChannelSession next) {}

  /** A decrypted application message and who, verifiably, sent it. */
  public record Received(Member sender, byte[] authenticatedData, byte[] plaintext) {}

  // ---- key packages -------------------------------------------------------------------------

  public static KeyPackageSecrets newKeyPackage(DeviceIdentity device) {
    return newKeyPackage(device, DEFAULT_SUITE);
  }

  public static KeyPackageSecrets newKeyPackage(DeviceIdentity device, short suiteId) {
    return run(
        MlsException.Reason.REJECTED, () -> keyPackage(MlsCipherSuite.getSuite(suiteId), device));
  }

  private static KeyPackageSecrets keyPackage(MlsCipherSuite suite, DeviceIdentity device)
      throws Exception {
    AsymmetricCipherKeyPair initKey = suite.getHPKE().generatePrivateKey();
    AsymmetricCipherKeyPair encryptionKey = suite.getHPKE().generatePrivateKey();
    KeyPackage keyPackage =
        new KeyPackage(
            suite,
            suite.getHPKE().serializePublicKey(initKey.getPublic()),
            leafNode(suite, device, encryptionKey),
            new ArrayList<>(),
            device.signaturePrivateKey());
    return new KeyPackageSecrets(keyPackage, initKey, encryptionKey);
  }

  private static LeafNode leafNode(
      MlsCipherSuite suite, DeviceIdentity device, AsymmetricCipherKeyPair encryptionKey)
      throws Exception {
    return new LeafNode(
        suite,
        suite.getHPKE().serializePublicKey(encryptionKey.getPublic()),
        device.signaturePublicKey(),
        Credential.forBasic(device.credential().encode()),
        new Capabilities(),
        new LifeTime(),
        new ArrayList<Extension>(),
        device.signaturePrivateKey());
  }

  /** What the key directory needs to know about an uploaded key package. */
  public record KeyPackageInfo(
      short cipherSuite, MemberCredential credential, byte[] signatureKey) {}

  /**
   * Decodes a key package as uploaded (MLSMessage bytes) and checks its signature, so the key
   * directory can refuse packages that are malformed, forged, or for another device's key: {@link
   * KeyPackageCheck#inspect}.
   */
  public static KeyPackageInfo inspectKeyPackage(byte[] bytes) {
    return KeyPackageCheck.inspect(bytes);
  }

  // ---- creating and joining -----------------------------------------------------------------

  /** A new channel with this device as its only member, at epoch 0, on the default suite. */
  public static ChannelSession create(DeviceIdentity device, byte[] groupId, Trust trust) {
    return create(device, groupId, trust, DEFAULT_SUITE);
  }

  /** A new channel on another RFC 9420 cipher suite (members' key packages must match it). */
  public static ChannelSession create(
      DeviceIdentity device, byte[] groupId, Trust trust, short suiteId) {
    return run(
        MlsException.Reason.REJECTED,
        () -> {
          MlsCipherSuite suite = MlsCipherSuite.getSuite(suiteId);
          AsymmetricCipherKeyPair encryptionKey = suite.getHPKE().generatePrivateKey();
          LeafNode leaf = leafNode(suite, device, encryptionKey);
          Group group =
              new Group(
                  groupId.clone(),
                  suite,
                  encryptionKey,
                  device.signaturePrivateKey(),
                  leaf,
                  new ArrayList<Extension>());
          return new ChannelSession(device, new TrustedLeaves(trust), group);
        });
  }

  /**
   * Joins from a Welcome addressed to one of this device's key packages. bcmls checks the tree
   * against the GroupInfo's tree hash, the GroupInfo signature and the confirmation tag; this also
   * checks every leaf's own signature, then every member against the trust.
   */
  public static ChannelSession join(
      DeviceIdentity device, KeyPackageSecrets keyPackage, byte[] welcome, Trust trust) {
    MLSMessage message = decode(welcome);
    if (message.wireFormat != WireFormat.mls_welcome) {
      throw new MlsException(MlsException.Reason.MALFORMED, "not a Welcome");
    }
    Group group =
        run(
            MlsException.Reason.NOT_FOR_US,
            () -> {
              MlsCipherSuite suite = message.welcome.getSuite();
              return new Group(
                  suite.getHPKE().serializePrivateKey(keyPackage.initKey.getPrivate()),
                  keyPackage.encryptionKey,
                  device.signaturePrivateKey(),
                  keyPackage.keyPackage,
                  message.welcome,
                  null,
                  new HashMap<Secret, byte[]>(),
                  new HashMap<Group.EpochRef, byte[]>());
            });
    run(
        MlsException.Reason.INVALID_GROUP_INFO,
        () -> {
          GroupInfoCheck.checkLeaves(group.getSuite(), group.getTree(), group.getGroupID());
          return null;
        });
    ChannelSession session = new ChannelSession(device, new TrustedLeaves(trust), group);
    session.checkMembers(List.of());
    return session;
  }

  /**
   * Rejoins a channel after losing its state (a restart, a new browser profile) by an external
   * commit from the channel's latest GroupInfo, removing this device's previous leaf in the same
   * commit ("resync", RFC 9420 section 12.4.3.2). bcmls exposes no way to save a group's state, so
   * this is how a Java device survives restarts; messages sent while it was away stay unreadable
   * (the UI says so). The returned commit goes to the delivery service like any other.
   *
   * <p>The GroupInfo comes from the untrusted server: before joining, its ratchet tree must match
   * its tree hash, its signature must verify under its signer's leaf key, and every leaf's
   * signature must verify ({@code INVALID_GROUP_INFO} otherwise: bcmls' external join checks the
   * tree hash but not the signature); then every member must pass the trust ({@code
   * UNTRUSTED_MEMBER}).
   */
  public static PendingCommit resync(DeviceIdentity device, byte[] groupInfo, Trust trust) {
    MLSMessage message = decode(groupInfo);
    if (message.wireFormat != WireFormat.mls_group_info) {
      throw new MlsException(MlsException.Reason.MALFORMED, "not a GroupInfo");
    }
    Group.GroupWithMessage joined =
        run(
            MlsException.Reason.REJECTED,
            () -> {
              MlsCipherSuite suite = message.groupInfo.getSuite();
              GroupInfoCheck.Checked checked = GroupInfoCheck.check(message.groupInfo);
              GroupInfoCheck.checkLeaves(suite, checked.tree(), message.groupInfo.getGroupID());
              KeyPackage keyPackage = keyPackage(suite, device).keyPackage;
              byte[] leafSecret = new byte[suite.getKDF().getHashLength()];
              RANDOM.nextBytes(leafSecret);
              return Group.externalJoin(
                  new Secret(leafSecret),
                  device.signatureKeyPair(),
                  keyPackage,
                  message.groupInfo,
                  null,
                  new Group.MessageOptions(false, new byte[0], 0),
                  priorLeaf(message, device).orElse(null),
                  new HashMap<Secret, byte[]>());
            });
    ChannelSession session = new ChannelSession(device, new TrustedLeaves(trust), joined.group);
    session.checkMembers(List.of());
    byte[] commit = run(MlsException.Reason.REJECTED, () -> MLSOutputStream.encode(joined.message));
    return new PendingCommit(commit, Optional.empty(), session);
  }

  /**
   * This device's old leaf in the GroupInfo's tree, if it is still there: the leaf that names this
   * device, or that holds its signature key (keys are unique in a group, RFC 9420 section 7.3, so
   * that leaf is this device's whatever it says).
   */
  private static Optional<LeafIndex> priorLeaf(MLSMessage groupInfo, DeviceIdentity device)
      throws java.io.IOException {
    for (Extension extension : groupInfo.groupInfo.getExtensions()) {
      TreeKEMPublicKey tree = extension.getRatchetTree();
      if (tree == null) {
        continue;
      }
      for (int i = 0; i < tree.getSize().leafCount(); i++) {
        LeafNode leaf = tree.getLeafNode(new LeafIndex(i));
        if (leaf == null) {
          continue;
        }
        if (java.util.Arrays.equals(leaf.getSignatureKey(), device.signaturePublicKey())
            || KeyPackageCheck.names(credentialOf(leaf), device.userId(), device.deviceId())) {
          return Optional.of(new LeafIndex(i));
        }
      }
    }
    return Optional.empty();
  }

  // ---- changing membership ------------------------------------------------------------------

  /** Adds devices from their key packages (MLSMessage bytes as the key directory serves them). */
  public PendingCommit add(List<byte[]> keyPackages) {
    List<Proposal> proposals = new ArrayList<>();
    for (byte[] bytes : keyPackages) {
      KeyPackage keyPackage = KeyPackageCheck.verified(bytes);
      LeafNode leaf = keyPackage.getLeafNode();
      credentialOf(leaf);
      trusted.check(leaf.getCredential().getIdentity(), leaf.getSignatureKey());
      proposals.add(run(MlsException.Reason.MALFORMED, () -> Proposal.add(keyPackage)));
    }
    return commit(proposals, true);
  }

  /** Removes every member that matches, e.g. all devices of a user, or one revoked device. */
  public PendingCommit remove(Predicate<Member> which) {
    List<Proposal> proposals = new ArrayList<>();
    for (Member member : members()) {
      if (which.test(member)) {
        proposals.add(Proposal.remove(new LeafIndex(member.leaf())));
      }
    }
    if (proposals.isEmpty()) {
      throw new MlsException(MlsException.Reason.NO_SUCH_MEMBER, "no member matches");
    }
    if (proposals.size() == members().size() - 1 && !which.test(self())) {
      // bcmls 1.84 fails inside TreeKEMPublicKey.parentHashes on a commit that leaves its
      // committer alone (see docs/crypto.md); say so instead of an index error.
      throw new MlsException(
          MlsException.Reason.LAST_MEMBER,
          "cannot remove the last other member: bcmls cannot commit a one-member epoch");
    }
    return commit(proposals, false);
  }

  /** A fresh leaf secret and path: post-compromise security for this device. */
  public PendingCommit update() {
    return commit(new ArrayList<>(), false);
  }

  private PendingCommit commit(List<Proposal> proposals, boolean welcome) {
    return run(
        MlsException.Reason.REJECTED,
        () -> {
          byte[] leafSecret = new byte[group.getSuite().getKDF().getHashLength()];
          RANDOM.nextBytes(leafSecret);
          Group.GroupWithMessage result =
              group.commit(
                  new Secret(leafSecret),
                  new Group.CommitOptions(proposals, true, true, null),
                  new Group.MessageOptions(false, new byte[0], 0),
                  new Group.CommitParameters(Group.NORMAL_COMMIT_PARAMS));
          byte[] commit = MLSOutputStream.encode(result.message);
          Optional<byte[]> welcomeBytes = Optional.empty();
          if (welcome) {
            // bcmls keeps the Welcome beside the commit in one message object; re-encode as
            // Welcome.
            result.message.wireFormat = WireFormat.mls_welcome;
            welcomeBytes = Optional.of(MLSOutputStream.encode(result.message));
          }
          return new PendingCommit(
              commit, welcomeBytes, new ChannelSession(device, trusted, result.group));
        });
  }

  /**
   * Applies a commit another member made for this epoch and returns the next session. Every member
   * of the next epoch must pass {@link Trust}, not only new signature keys: a commit can replace a
   * leaf (update path, external resync) with one that keeps its key but names someone else.
   */
  public ChannelSession handleCommit(byte[] bytes) {
    MLSMessage message = decode(bytes);
    requireThisGroup(message);
    if (message.wireFormat != WireFormat.mls_public_message
        || message.getContentType() != ContentType.COMMIT) {
      throw new MlsException(MlsException.Reason.NOT_A_COMMIT, "not a PublicMessage commit");
    }
    Group next =
        run(
            MlsException.Reason.REJECTED,
            () -> {
              Group handled = group.handle(bytes, null);
              if (handled == null) {
                throw new IllegalStateException("commit produced no new state");
              }
              return handled;
            });
    ChannelSession session = new ChannelSession(device, trusted, next);
    session.checkMembers(members());
    return session;
  }

  // ---- messages -----------------------------------------------------------------------------

  /** Encrypts an application message for the current epoch. */
  public byte[] protect(byte[] authenticatedData, byte[] plaintext) {
    return run(
        MlsException.Reason.REJECTED,
        () -> MLSOutputStream.encode(group.protect(authenticatedData, plaintext, 0)));
  }

  /**
   * Decrypts and authenticates an application message of the current epoch. Each message key is
   * deleted after use, so a replayed message fails.
   */
  public Received unprotect(byte[] bytes) {
    MLSMessage message = decode(bytes);
    requireThisGroup(message);
    if (message.wireFormat != WireFormat.mls_private_message
        || message.getContentType() != ContentType.APPLICATION) {
      throw new MlsException(
          MlsException.Reason.NOT_AN_APPLICATION_MESSAGE,
          "not a PrivateMessage application message");
    }
    PrivateMessageSender.Fields fields;
    try {
      fields = PrivateMessageSender.parse(bytes);
    } catch (DecodeException e) {
      throw new MlsException(MlsException.Reason.MALFORMED, e.getMessage(), e);
    }
    byte[][] opened = run(MlsException.Reason.REJECTED, () -> group.unprotect(message));
    // unprotect verified the signature against the leaf named in the sender data; read the same.
    int leaf =
        run(MlsException.Reason.REJECTED, () -> PrivateMessageSender.leafIndex(group, fields));
    Member sender =
        members().stream()
            .filter(m -> m.leaf() == leaf)
            .findFirst()
            .orElseThrow(
                () -> new MlsException(MlsException.Reason.REJECTED, "sender is not a member"));
    return new Received(sender, opened[0], opened[1]);
  }

  // ---- state --------------------------------------------------------------------------------

  public long epoch() {
    return group.getEpoch();
  }

  public byte[] groupId() {
    return group.getGroupID().clone();
  }

  /**
   * The channel policy the group itself carries in its group id (so in its GroupContext), to
   * compare with what the server claims; empty if the group id is not a {@link ChannelGroupId}.
   */
  public Optional<ChannelPolicy> policy() {
    try {
      return Optional.of(ChannelGroupId.decode(group.getGroupID()).policy());
    } catch (DecodeException e) {
      return Optional.empty();
    }
  }

  public byte[] epochAuthenticator() {
    return group.getEpochAuthenticator().clone();
  }

  /** MLS exporter (RFC 9420, section 8.5): per-epoch secrets for documents and blob keys. */
  public byte[] exportSecret(String label, byte[] context, int length) {
    return run(
        MlsException.Reason.REJECTED,
        () -> group.getKeySchedule().MLSExporter(label, context, length));
  }

  /** The GroupInfo (with the ratchet tree) the delivery service keeps for external joins. */
  public byte[] groupInfo() {
    return run(
        MlsException.Reason.REJECTED, () -> MLSOutputStream.encode(group.getGroupInfo(true)));
  }

  public Member self() {
    int leaf = group.getIndex().value();
    return members().stream().filter(m -> m.leaf() == leaf).findFirst().orElseThrow();
  }

  public List<Member> members() {
    TreeKEMPublicKey tree = group.getTree();
    List<Member> members = new ArrayList<>();
    long leaves = tree.getSize().leafCount();
    for (int i = 0; i < leaves; i++) {
      LeafNode leaf = tree.getLeafNode(new LeafIndex(i));
      if (leaf != null) {
        MemberCredential credential = credentialOf(leaf);
        members.add(
            new Member(i, credential.userId(), credential.deviceId(), leaf.getSignatureKey()));
      }
    }
    return members;
  }

  /**
   * Every leaf's full credential (user, device, attestation chain) against the trust, and every
   * signature key naming one device: the same key at another leaf, or in the epoch {@code before},
   * must name the same user and device (attestation chains bind a key to a user, not to a device).
   */
  private void checkMembers(List<Member> before) {
    List<Member> now = members();
    Map<String, Member> owners = new HashMap<>();
    for (Member member : concat(before, now)) {
      Member owner = owners.putIfAbsent(HexFormat.of().formatHex(member.signatureKey()), member);
      if (owner != null
          && !(owner.userId().equals(member.userId())
              && owner.deviceId().equals(member.deviceId()))) {
        throw new MlsException(
            MlsException.Reason.UNTRUSTED_MEMBER,
            "leaf "
                + member.leaf()
                + " names "
                + member.userId()
                + "/"
                + member.deviceId()
                + " with the signature key of "
                + owner.userId()
                + "/"
                + owner.deviceId());
      }
    }
    verify(now);
  }

  /**
   * Checks every member of this epoch against the trust again, for when the trust refuses more than
   * it did (a revocation list that grew): throws {@code UNTRUSTED_MEMBER} naming the first member
   * it now refuses. Leaves accepted since the trust last changed are not verified twice.
   */
  public void verifyMembers() {
    verify(members());
  }

  private void verify(List<Member> members) {
    TreeKEMPublicKey tree = group.getTree();
    for (Member member : members) {
      LeafNode leaf = tree.getLeafNode(new LeafIndex(member.leaf()));
      trusted.check(leaf.getCredential().getIdentity(), leaf.getSignatureKey());
    }
  }

  private static List<Member> concat(List<Member> a, List<Member> b) {
    List<Member> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  static MemberCredential credentialOf(LeafNode leaf) {
    return LeafCredentials.read(leaf, MlsException.Reason.UNTRUSTED_MEMBER);
  }

  private void requireThisGroup(MLSMessage message) {
    PrivateOrPublic header = PrivateOrPublic.of(message);
    if (header == null) {
      return;
    }
    if (!java.util.Arrays.equals(header.groupId(), group.getGroupID())) {
      throw new MlsException(MlsException.Reason.WRONG_GROUP, "message for another channel");
    }
    if (message.getEpoch() != group.getEpoch()) {
      throw new MlsException(
          MlsException.Reason.WRONG_EPOCH,
          "message for epoch " + message.getEpoch() + ", channel is at " + group.getEpoch());
    }
  }

  /** The group id of a handshake or application message, read without decrypting. */
  private record PrivateOrPublic(byte[] groupId) {
    static PrivateOrPublic of(MLSMessage message) {
      try {
        byte[] wire = MLSOutputStream.encode(message);
        // version(2) wire_format(2) then group_id<V> leads both PublicMessage and PrivateMessage
        int first = wire[4] & 0xFF;
        int prefix = 1 << (first >>> 6);
        int length = first & 0x3F;
        for (int i = 1; i < prefix; i++) {
          length = (length << 8) | (wire[4 + i] & 0xFF);
        }
        return new PrivateOrPublic(
            java.util.Arrays.copyOfRange(wire, 4 + prefix, 4 + prefix + length));
      } catch (java.io.IOException | ArrayIndexOutOfBoundsException e) {
        return null;
      }
    }
  }

  static MLSMessage decode(byte[] bytes) {
    if (bytes.length > MAX_MESSAGE) {
      throw new MlsException(
          MlsException.Reason.MALFORMED, "MLS message over " + MAX_MESSAGE + " bytes");
    }
    // bcmls allocates a field's claimed length before checking it is there: walk the structure
    // first, so a hostile server or member cannot make a client allocate a gigabyte.
    run(MlsException.Reason.MALFORMED, () -> MlsWire.check(bytes));
    return run(
        MlsException.Reason.MALFORMED,
        () -> (MLSMessage) MLSInputStream.decode(bytes, MLSMessage.class));
  }

  interface Action<T> {
    T run() throws Exception;
  }

  /**
   * bcmls signals everything with {@code Exception}; callers get one exception type with a reason.
   */
  static <T> T run(MlsException.Reason reason, Action<T> action) {
    try {
      return Bcmls.exclusively(action::run);
    } catch (MlsException e) {
      throw e;
    } catch (Exception | AssertionError e) {
      throw new MlsException(
          reason, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "ChannelSession[" + device + " epoch=" + epoch() + " members=" + members().size() + "]";
  }
}
