package org.liaison.crypto.mls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bouncycastle.mls.GroupKeySet;
import org.bouncycastle.mls.KeyGeneration;
import org.bouncycastle.mls.KeyScheduleEpoch;
import org.bouncycastle.mls.TranscriptHash;
import org.bouncycastle.mls.TreeKEM.LeafIndex;
import org.bouncycastle.mls.TreeKEM.NodeIndex;
import org.bouncycastle.mls.TreeKEM.TreeKEMPublicKey;
import org.bouncycastle.mls.TreeSize;
import org.bouncycastle.mls.codec.AuthenticatedContent;
import org.bouncycastle.mls.codec.Commit;
import org.bouncycastle.mls.codec.ContentType;
import org.bouncycastle.mls.codec.GroupContext;
import org.bouncycastle.mls.codec.GroupSecrets;
import org.bouncycastle.mls.codec.MLSInputStream;
import org.bouncycastle.mls.codec.MLSMessage;
import org.bouncycastle.mls.codec.MLSOutputStream;
import org.bouncycastle.mls.codec.Proposal;
import org.bouncycastle.mls.crypto.MlsCipherSuite;
import org.bouncycastle.mls.crypto.Secret;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The MLS working group's RFC 9420 test vectors (src/test/resources/mls-vectors, see NOTICE.md)
 * driven through bcmls. Each file's cases are counted; docs/crypto.md reports the counts and the
 * files not yet driven.
 */
class Rfc9420VectorTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final Map<String, int[]> COUNTS = new LinkedHashMap<>();

  static JsonArray load(String name) throws IOException {
    try (InputStream in = Rfc9420VectorTest.class.getResourceAsStream("/mls-vectors/" + name)) {
      return new JsonArray(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  static byte[] hex(JsonObject o, String key) {
    return HEX.parseHex(o.getString(key));
  }

  /** The vector's node index, or null where the RFC says there is none. */
  static Long expected(JsonObject c, String field, int i) {
    Object value = c.getJsonArray(field).getValue(i);
    return value == null ? null : ((Number) value).longValue();
  }

  static void count(String file, boolean passed) {
    int[] c = COUNTS.computeIfAbsent(file, k -> new int[2]);
    c[0]++;
    if (passed) {
      c[1]++;
    }
  }

  @AfterAll
  static void report() {
    COUNTS.forEach(
        (file, c) ->
            System.out.printf("RFC 9420 vectors %s: %d run, %d passed%n", file, c[0], c[1]));
  }

  @Test
  void treeMath() throws IOException {
    JsonArray cases = load("tree-math.json");
    for (Object o : cases) {
      JsonObject c = (JsonObject) o;
      TreeSize size = TreeSize.forLeaves(c.getLong("n_leaves"));
      assertEquals(c.getLong("n_nodes"), size.width());
      NodeIndex root = NodeIndex.root(size);
      assertEquals(c.getLong("root"), root.value());
      for (int i = 0; i < c.getLong("n_nodes"); i++) {
        NodeIndex node = new NodeIndex(i);
        boolean leaf = node.level() == 0;
        boolean isRoot = node.equals(root);
        assertEquals(expected(c, "left", i), leaf ? null : (Long) node.left().value(), "left " + i);
        assertEquals(
            expected(c, "right", i), leaf ? null : (Long) node.right().value(), "right " + i);
        assertEquals(
            expected(c, "parent", i), isRoot ? null : (Long) node.parent().value(), "parent " + i);
        assertEquals(
            expected(c, "sibling", i),
            isRoot ? null : (Long) node.sibling().value(),
            "sibling " + i);
      }
      count("tree-math.json", true);
    }
    assertEquals(cases.size(), COUNTS.get("tree-math.json")[1]);
  }

  @Test
  void cryptoBasics() throws Exception {
    JsonArray cases = load("crypto-basics.json");
    for (Object o : cases) {
      JsonObject c = (JsonObject) o;
      MlsCipherSuite suite = MlsCipherSuite.getSuite(c.getInteger("cipher_suite").shortValue());
      String at = "suite " + c.getInteger("cipher_suite") + ": ";

      JsonObject ref = c.getJsonObject("ref_hash");
      assertArrayEquals(
          hex(ref, "out"),
          suite.refHash(hex(ref, "value"), ref.getString("label")),
          at + "ref_hash");

      JsonObject expand = c.getJsonObject("expand_with_label");
      assertArrayEquals(
          hex(expand, "out"),
          suite
              .getKDF()
              .expandWithLabel(
                  hex(expand, "secret"),
                  expand.getString("label"),
                  hex(expand, "context"),
                  expand.getInteger("length")),
          at + "expand_with_label");

      JsonObject derive = c.getJsonObject("derive_secret");
      assertArrayEquals(
          hex(derive, "out"),
          suite
              .getKDF()
              .expandWithLabel(
                  hex(derive, "secret"),
                  derive.getString("label"),
                  new byte[0],
                  suite.getKDF().getHashLength()),
          at + "derive_secret");

      JsonObject tree = c.getJsonObject("derive_tree_secret");
      long generation = tree.getLong("generation");
      byte[] context = {
        (byte) (generation >>> 24),
        (byte) (generation >>> 16),
        (byte) (generation >>> 8),
        (byte) generation
      };
      assertArrayEquals(
          hex(tree, "out"),
          suite
              .getKDF()
              .expandWithLabel(
                  hex(tree, "secret"), tree.getString("label"), context, tree.getInteger("length")),
          at + "derive_tree_secret");

      JsonObject sign = c.getJsonObject("sign_with_label");
      assertTrue(
          suite.verifyWithLabel(
              hex(sign, "pub"),
              sign.getString("label"),
              hex(sign, "content"),
              hex(sign, "signature")),
          at + "sign_with_label verifies the vector's signature");
      byte[] ours =
          suite.signWithLabel(hex(sign, "priv"), sign.getString("label"), hex(sign, "content"));
      assertTrue(
          suite.verifyWithLabel(
              hex(sign, "pub"), sign.getString("label"), hex(sign, "content"), ours),
          at + "own signature");

      JsonObject encrypt = c.getJsonObject("encrypt_with_label");
      assertArrayEquals(
          hex(encrypt, "plaintext"),
          suite.decryptWithLabel(
              hex(encrypt, "priv"),
              encrypt.getString("label"),
              hex(encrypt, "context"),
              hex(encrypt, "kem_output"),
              hex(encrypt, "ciphertext")),
          at + "encrypt_with_label");
      count("crypto-basics.json", true);
    }
    assertEquals(cases.size(), COUNTS.get("crypto-basics.json")[1]);
  }

  @Test
  void transcriptHashes() throws Exception {
    JsonArray cases = load("transcript-hashes.json");
    for (Object o : cases) {
      JsonObject c = (JsonObject) o;
      MlsCipherSuite suite = MlsCipherSuite.getSuite(c.getInteger("cipher_suite").shortValue());
      AuthenticatedContent content =
          (AuthenticatedContent)
              MLSInputStream.decode(hex(c, "authenticated_content"), AuthenticatedContent.class);
      TranscriptHash transcript =
          new TranscriptHash(suite, new byte[0], hex(c, "interim_transcript_hash_before"));
      transcript.update(content);
      assertArrayEquals(hex(c, "confirmed_transcript_hash_after"), transcript.getConfirmed());
      assertArrayEquals(hex(c, "interim_transcript_hash_after"), transcript.getInterim());
      count("transcript-hashes.json", true);
    }
    assertEquals(cases.size(), COUNTS.get("transcript-hashes.json")[1]);
  }

  @Test
  void secretTree() throws Exception {
    JsonArray cases = load("secret-tree.json");
    for (Object o : cases) {
      JsonObject c = (JsonObject) o;
      MlsCipherSuite suite = MlsCipherSuite.getSuite(c.getInteger("cipher_suite").shortValue());
      JsonObject senderData = c.getJsonObject("sender_data");
      KeyGeneration senderKeys =
          KeyScheduleEpoch.senderDataKeys(
              suite, hex(senderData, "sender_data_secret"), hex(senderData, "ciphertext"));
      assertArrayEquals(hex(senderData, "key"), senderKeys.key);
      assertArrayEquals(hex(senderData, "nonce"), senderKeys.nonce);

      JsonArray leaves = c.getJsonArray("leaves");
      GroupKeySet keys =
          new GroupKeySet(
              suite, TreeSize.forLeaves(leaves.size()), new Secret(hex(c, "encryption_secret")));
      byte[] noReuseGuard = new byte[4];
      for (int leaf = 0; leaf < leaves.size(); leaf++) {
        for (Object g : leaves.getJsonArray(leaf)) {
          JsonObject generation = (JsonObject) g;
          int n = generation.getInteger("generation");
          KeyGeneration application =
              keys.get(ContentType.APPLICATION, new LeafIndex(leaf), n, noReuseGuard);
          assertArrayEquals(
              hex(generation, "application_key"), application.key, "leaf " + leaf + " gen " + n);
          assertArrayEquals(hex(generation, "application_nonce"), application.nonce);
          KeyGeneration handshake =
              keys.get(ContentType.COMMIT, new LeafIndex(leaf), n, noReuseGuard);
          assertArrayEquals(hex(generation, "handshake_key"), handshake.key);
          assertArrayEquals(hex(generation, "handshake_nonce"), handshake.nonce);
        }
      }
      count("secret-tree.json", true);
    }
    assertEquals(cases.size(), COUNTS.get("secret-tree.json")[1]);
  }

  /**
   * Five epochs per suite: joiner secret from the previous init secret and the commit secret, then
   * every derived secret of the epoch. The exporter is checked where the vector's random label is
   * valid UTF-8 (bcmls takes labels as Java strings); the rest are counted as skipped.
   */
  @Test
  void keySchedule() throws Exception {
    JsonArray cases = load("key-schedule.json");
    int exportersChecked = 0;
    for (Object o : cases) {
      JsonObject c = (JsonObject) o;
      MlsCipherSuite suite = MlsCipherSuite.getSuite(c.getInteger("cipher_suite").shortValue());
      byte[] initSecret = hex(c, "initial_init_secret");
      for (Object e : c.getJsonArray("epochs")) {
        JsonObject epoch = (JsonObject) e;
        byte[] context = hex(epoch, "group_context");
        byte[] joiner =
            suite
                .getKDF()
                .expandWithLabel(
                    suite.getKDF().extract(initSecret, hex(epoch, "commit_secret")),
                    "joiner",
                    context,
                    suite.getKDF().getHashLength());
        assertArrayEquals(hex(epoch, "joiner_secret"), joiner, "joiner_secret");
        KeyScheduleEpoch schedule =
            new KeyScheduleEpoch(
                suite,
                TreeSize.forLeaves(1),
                new Secret(joiner),
                new Secret(hex(epoch, "psk_secret")),
                context);
        assertArrayEquals(hex(epoch, "init_secret"), schedule.initSecret.value(), "init_secret");
        assertArrayEquals(
            hex(epoch, "sender_data_secret"),
            schedule.senderDataSecret.value(),
            "sender_data_secret");
        assertArrayEquals(
            hex(epoch, "encryption_secret"),
            schedule.encryptionSecret.value(),
            "encryption_secret");
        assertArrayEquals(
            hex(epoch, "exporter_secret"), schedule.exporterSecret.value(), "exporter_secret");
        assertArrayEquals(
            hex(epoch, "epoch_authenticator"),
            schedule.epochAuthenticator.value(),
            "epoch_authenticator");
        assertArrayEquals(
            hex(epoch, "external_secret"), schedule.externalSecret.value(), "external_secret");
        assertArrayEquals(
            hex(epoch, "confirmation_key"), schedule.confirmationKey.value(), "confirmation_key");
        assertArrayEquals(
            hex(epoch, "membership_key"), schedule.membershipKey.value(), "membership_key");
        assertArrayEquals(
            hex(epoch, "resumption_psk"), schedule.resumptionPSK.value(), "resumption_psk");
        assertArrayEquals(
            hex(epoch, "external_pub"),
            suite.getHPKE().serializePublicKey(schedule.getExternalPublicKey()),
            "external_pub");
        JsonObject exporter = epoch.getJsonObject("exporter");
        String label = utf8OrNull(hex(exporter, "label"));
        if (label != null) {
          assertArrayEquals(
              hex(exporter, "secret"),
              schedule.MLSExporter(label, hex(exporter, "context"), exporter.getInteger("length")),
              "exporter");
          exportersChecked++;
        }
        initSecret = schedule.initSecret.value();
      }
      count("key-schedule.json", true);
    }
    System.out.printf(
        "RFC 9420 vectors key-schedule.json: exporter checked in %d of %d epochs (others' labels are not UTF-8)%n",
        exportersChecked, cases.size() * 5);
    assertEquals(cases.size(), COUNTS.get("key-schedule.json")[1]);
  }

  private static String utf8OrNull(byte[] bytes) {
    try {
      return java.nio.charset.StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes))
          .toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      return null;
    }
  }

  /** Apply one Add, Update or Remove to a public tree; check the tree and its hash after. */
  @Test
  void treeOperations() throws Exception {
    JsonArray cases = load("tree-operations.json");
    for (Object o : cases) {
      JsonObject c = (JsonObject) o;
      MlsCipherSuite suite = MlsCipherSuite.getSuite(c.getInteger("cipher_suite").shortValue());
      TreeKEMPublicKey tree =
          (TreeKEMPublicKey) MLSInputStream.decode(hex(c, "tree_before"), TreeKEMPublicKey.class);
      tree.setSuite(suite);
      tree.setHashAll();
      assertArrayEquals(hex(c, "tree_hash_before"), tree.getRootHash(), "hash before");
      Proposal proposal = (Proposal) MLSInputStream.decode(hex(c, "proposal"), Proposal.class);
      switch (proposal.getProposalType()) {
        case ADD -> tree.addLeaf(proposal.getLeafNode());
        case UPDATE ->
            tree.updateLeaf(new LeafIndex(c.getInteger("proposal_sender")), proposal.getLeafNode());
        case REMOVE -> {
          tree.blankPath(proposal.getRemove().removed);
          tree.truncate();
        }
        default -> throw new AssertionError("unexpected proposal " + proposal.getProposalType());
      }
      tree.setHashAll();
      assertArrayEquals(hex(c, "tree_after"), MLSOutputStream.encode(tree), "tree after");
      assertArrayEquals(hex(c, "tree_hash_after"), tree.getRootHash(), "hash after");
      count("tree-operations.json", true);
    }
    assertEquals(cases.size(), COUNTS.get("tree-operations.json")[1]);
  }

  /**
   * Unprotect the vector's proposal, commit and application message in both wire formats with the
   * given epoch secrets, check the content and the sender's signature over the group context.
   */
  @Test
  void messageProtection() throws Exception {
    JsonArray cases = load("message-protection.json");
    for (Object o : cases) {
      JsonObject c = (JsonObject) o;
      MlsCipherSuite suite = MlsCipherSuite.getSuite(c.getInteger("cipher_suite").shortValue());
      GroupContext context =
          new GroupContext(
              suite,
              hex(c, "group_id"),
              c.getLong("epoch"),
              hex(c, "tree_hash"),
              hex(c, "confirmed_transcript_hash"),
              new ArrayList<>());
      byte[] encodedContext = MLSOutputStream.encode(context);
      byte[] signer = hex(c, "signature_pub");

      for (String kind : new String[] {"proposal", "commit"}) {
        MLSMessage pub =
            (MLSMessage) MLSInputStream.decode(hex(c, kind + "_pub"), MLSMessage.class);
        AuthenticatedContent fromPublic =
            pub.publicMessage.unprotect(suite, new Secret(hex(c, "membership_key")), context);
        assertTrue(fromPublic.verify(suite, signer, encodedContext), kind + "_pub signature");
        assertArrayEquals(hex(c, kind), contentOf(fromPublic, kind), kind + "_pub content");

        MLSMessage priv =
            (MLSMessage) MLSInputStream.decode(hex(c, kind + "_priv"), MLSMessage.class);
        AuthenticatedContent fromPrivate =
            priv.privateMessage.unprotect(suite, keys(suite, c), hex(c, "sender_data_secret"));
        assertTrue(fromPrivate.verify(suite, signer, encodedContext), kind + "_priv signature");
        assertArrayEquals(hex(c, kind), contentOf(fromPrivate, kind), kind + "_priv content");
      }
      MLSMessage application =
          (MLSMessage) MLSInputStream.decode(hex(c, "application_priv"), MLSMessage.class);
      AuthenticatedContent opened =
          application.privateMessage.unprotect(suite, keys(suite, c), hex(c, "sender_data_secret"));
      assertTrue(opened.verify(suite, signer, encodedContext), "application signature");
      assertArrayEquals(
          hex(c, "application"), opened.getContent().getContentBytes(), "application content");
      count("message-protection.json", true);
    }
    assertEquals(cases.size(), COUNTS.get("message-protection.json")[1]);
  }

  /** The vectors' sender is leaf 1 of a two-member group. */
  private static GroupKeySet keys(MlsCipherSuite suite, JsonObject c) throws Exception {
    return new GroupKeySet(suite, TreeSize.forLeaves(2), new Secret(hex(c, "encryption_secret")));
  }

  private static byte[] contentOf(AuthenticatedContent content, String kind) throws IOException {
    return kind.equals("proposal")
        ? MLSOutputStream.encode(content.getContent().getProposal())
        : MLSOutputStream.encode(content.getContent().getCommit());
  }

  /** Every structure decodes and encodes back to the identical bytes. */
  @Test
  void messagesRoundTrip() throws Exception {
    Map<String, Class<?>> types = new LinkedHashMap<>();
    for (String field :
        new String[] {
          "mls_welcome",
          "mls_group_info",
          "mls_key_package",
          "public_message_application",
          "public_message_proposal",
          "public_message_commit",
          "private_message"
        }) {
      types.put(field, MLSMessage.class);
    }
    types.put("ratchet_tree", TreeKEMPublicKey.class);
    types.put("group_secrets", GroupSecrets.class);
    types.put("add_proposal", Proposal.Add.class);
    types.put("update_proposal", Proposal.Update.class);
    types.put("remove_proposal", Proposal.Remove.class);
    types.put("pre_shared_key_proposal", Proposal.PreSharedKey.class);
    types.put("re_init_proposal", Proposal.ReInit.class);
    types.put("external_init_proposal", Proposal.ExternalInit.class);
    types.put("group_context_extensions_proposal", Proposal.GroupContextExtensions.class);
    types.put("commit", Commit.class);

    JsonArray cases = load("messages.json");
    int structures = 0;
    for (Object o : cases) {
      JsonObject c = (JsonObject) o;
      for (Map.Entry<String, Class<?>> type : types.entrySet()) {
        byte[] wire = hex(c, type.getKey());
        byte[] again = MLSOutputStream.encode(MLSInputStream.decode(wire, type.getValue()));
        assertArrayEquals(wire, again, type.getKey());
        structures++;
      }
      count("messages.json", true);
    }
    assertEquals(cases.size() * types.size(), structures);
  }
}
