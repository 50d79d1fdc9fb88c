package org.liaison.crypto.mls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.liaison.crypto.mls.TsMlsPeer.b64;
import static org.liaison.crypto.mls.TsMlsPeer.bytes;
import static org.liaison.crypto.mls.TsMlsPeer.op;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.liaison.crypto.Ed25519;
import org.liaison.crypto.attestation.AttestationChain;
import org.liaison.crypto.attestation.TierAttestation;

/**
 * bcmls (Java) and ts-mls (the browser's library, in Node) in the same channels, exchanging real
 * MLS wire bytes both ways: joins, messages, commits and removals.
 */
class TsMlsInteropTest {
  static final byte[] GROUP = "interop-channel".getBytes(StandardCharsets.UTF_8);

  static byte[] text(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String textOf(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Test
  void javaCreatesAddsTsMemberAndTheyTalkBothWays() throws Exception {
    try (TsMlsPeer ts = new TsMlsPeer()) {
      DeviceIdentity amina = DeviceIdentity.generate("amina", "laptop");
      ChannelSession java = ChannelSession.create(amina, GROUP, Trust.anyone());
      byte[] tsKeyPackage =
          bytes(
              ts.call(op("keyPackage").put("userId", "elena").put("deviceId", "browser"))
                  .getString("keyPackage"));

      ChannelSession.PendingCommit adding = java.add(List.of(tsKeyPackage));
      java = adding.next();
      assertEquals(
          1,
          ts.call(op("join").put("welcome", b64(adding.welcome().orElseThrow())))
              .getInteger("epoch"));
      assertSameEpoch(java, ts);
      assertEquals(
          List.of("amina", "elena"),
          java.members().stream().map(ChannelSession.Member::userId).toList());

      byte[] fromJava = java.protect(new byte[0], text("Salam from Java"));
      assertEquals(
          "Salam from Java",
          textOf(
              bytes(ts.call(op("handle").put("message", b64(fromJava))).getString("plaintext"))));

      byte[] fromTs =
          bytes(
              ts.call(op("protect").put("plaintext", b64(text("Zdravo from ts-mls"))))
                  .getString("message"));
      ChannelSession.Received received = java.unprotect(fromTs);
      assertEquals("Zdravo from ts-mls", textOf(received.plaintext()));
      assertEquals("elena", received.sender().userId());
      assertEquals("browser", received.sender().deviceId());

      assertArrayEquals(
          java.exportSecret("liaison/v1/document", text("doc"), 32),
          bytes(
              ts.call(
                      op("export")
                          .put("label", "liaison/v1/document")
                          .put("context", b64(text("doc")))
                          .put("length", 32))
                  .getString("secret")));

      // A commit from each side, processed by the other.
      java = java.handleCommit(bytes(ts.call(op("update")).getString("commit")));
      assertSameEpoch(java, ts);
      ChannelSession.PendingCommit javaUpdate = java.update();
      ts.call(op("handle").put("message", b64(javaUpdate.commit())));
      java = javaUpdate.next();
      assertSameEpoch(java, ts);
      assertEquals(3, java.epoch());
      assertEquals(
          "still here",
          textOf(
              java.unprotect(
                      bytes(
                          ts.call(op("protect").put("plaintext", b64(text("still here"))))
                              .getString("message")))
                  .plaintext()));
    }
  }

  @Test
  void tsCreatesAddsJavaMemberAndTheyTalkBothWays() throws Exception {
    try (TsMlsPeer ts = new TsMlsPeer()) {
      ts.call(
          op("create").put("groupId", b64(GROUP)).put("userId", "juma").put("deviceId", "browser"));
      DeviceIdentity sara = DeviceIdentity.generate("sara", "phone");
      KeyPackageSecrets saraKp = ChannelSession.newKeyPackage(sara);
      JsonObject added =
          ts.call(op("add").put("keyPackages", new JsonArray().add(b64(saraKp.publicBytes()))));
      ChannelSession java =
          ChannelSession.join(sara, saraKp, bytes(added.getString("welcome")), Trust.anyone());
      assertSameEpoch(java, ts);

      byte[] fromTs =
          bytes(
              ts.call(op("protect").put("plaintext", b64(text("Habari from ts-mls"))))
                  .getString("message"));
      ChannelSession.Received received = java.unprotect(fromTs);
      assertEquals("Habari from ts-mls", textOf(received.plaintext()));
      assertEquals("juma", received.sender().userId());
      byte[] fromJava = java.protect(new byte[0], text("Asante from Java"));
      assertEquals(
          "Asante from Java",
          textOf(
              bytes(ts.call(op("handle").put("message", b64(fromJava))).getString("plaintext"))));
    }
  }

  /** The delivery service reads browsers' (ts-mls) handshakes as it reads bcmls ones. */
  @Test
  void theHandshakeInspectorReadsTsMlsMessages() throws Exception {
    try (TsMlsPeer ts = new TsMlsPeer()) {
      ChannelGroupId groupId =
          ChannelGroupId.create(new ChannelPolicy(0, new java.util.TreeSet<>(), 30, false));
      ts.call(
          op("create")
              .put("groupId", b64(groupId.encode()))
              .put("userId", "juma")
              .put("deviceId", "browser"));
      KeyPackageSecrets saraKp =
          ChannelSession.newKeyPackage(DeviceIdentity.generate("sara", "phone"));
      KeyPackageSecrets timoKp =
          ChannelSession.newKeyPackage(DeviceIdentity.generate("timo", "laptop"));
      JsonObject added =
          ts.call(
              op("add")
                  .put(
                      "keyPackages",
                      new JsonArray()
                          .add(b64(saraKp.publicBytes()))
                          .add(b64(timoKp.publicBytes()))));
      HandshakeInspector.InspectedCommit add =
          HandshakeInspector.commit(bytes(added.getString("commit")));
      assertArrayEquals(groupId.encode(), add.groupId());
      assertEquals(0, add.epoch());
      assertEquals(HandshakeInspector.SenderKind.MEMBER, add.senderKind());
      assertEquals(0, add.senderLeaf());
      assertEquals(2, add.adds().size());
      assertArrayEquals(saraKp.publicBytes(), add.adds().get(0).keyPackage());
      assertArrayEquals(timoKp.publicBytes(), add.adds().get(1).keyPackage());
      // ts-mls leaves out the optional UpdatePath on an add-only commit (bcmls always sends one).
      assertEquals(java.util.Optional.empty(), add.pathCredential());
      HandshakeInspector.welcome(bytes(added.getString("welcome")));

      byte[] message =
          bytes(ts.call(op("protect").put("plaintext", b64(text("hi")))).getString("message"));
      assertEquals(1, HandshakeInspector.application(message).epoch());
      assertArrayEquals(groupId.encode(), HandshakeInspector.application(message).groupId());

      byte[] removal = bytes(ts.call(op("remove").put("userId", "sara")).getString("commit"));
      assertEquals(List.of(1), HandshakeInspector.commit(removal).removedLeaves());
      HandshakeInspector.InspectedCommit update =
          HandshakeInspector.commit(bytes(ts.call(op("update")).getString("commit")));
      assertEquals(2, update.epoch());
      assertEquals(0, update.senderLeaf());
      assertEquals(List.of(), update.adds());
      assertEquals("juma", update.pathCredential().orElseThrow().userId());
    }
  }

  @Test
  void aMemberRemovedOnOneSideCannotReadTheOthersNextMessage() throws Exception {
    try (TsMlsPeer ts = new TsMlsPeer()) {
      DeviceIdentity amina = DeviceIdentity.generate("amina", "laptop");
      DeviceIdentity carol = DeviceIdentity.generate("carol", "laptop");
      KeyPackageSecrets carolKp = ChannelSession.newKeyPackage(carol);
      DeviceIdentity dave = DeviceIdentity.generate("dave", "phone");
      KeyPackageSecrets daveKp = ChannelSession.newKeyPackage(dave);
      byte[] tsKp =
          bytes(
              ts.call(op("keyPackage").put("userId", "elena").put("deviceId", "browser"))
                  .getString("keyPackage"));
      ChannelSession.PendingCommit adding =
          ChannelSession.create(amina, GROUP, Trust.anyone())
              .add(List.of(tsKp, carolKp.publicBytes(), daveKp.publicBytes()));
      ChannelSession java = adding.next();
      ChannelSession carolSession =
          ChannelSession.join(carol, carolKp, adding.welcome().orElseThrow(), Trust.anyone());
      ts.call(op("join").put("welcome", b64(adding.welcome().orElseThrow())));

      // ts-mls removes Carol (a Java member); Amina (Java) follows the commit.
      byte[] removal = bytes(ts.call(op("remove").put("userId", "carol")).getString("commit"));
      java = java.handleCommit(removal);
      assertEquals(
          List.of("amina", "elena", "dave"),
          java.members().stream().map(ChannelSession.Member::userId).toList());
      byte[] afterwards =
          bytes(
              ts.call(op("protect").put("plaintext", b64(text("not for Carol"))))
                  .getString("message"));
      assertEquals("not for Carol", textOf(java.unprotect(afterwards).plaintext()));
      ChannelSession carolStale = carolSession;
      assertThrows(MlsException.class, () -> carolStale.unprotect(afterwards));
      assertThrows(MlsException.class, () -> carolStale.handleCommit(removal));

      // Java removes the ts-mls member; ts-mls cannot read Java's next message.
      ChannelSession.PendingCommit javaRemoval = java.remove(m -> m.userId().equals("elena"));
      java = javaRemoval.next();
      ts.tryCall(op("handle").put("message", b64(javaRemoval.commit())));
      byte[] secret = java.protect(new byte[0], text("not for Elena"));
      JsonObject attempt = ts.tryCall(op("handle").put("message", b64(secret)));
      assertFalse(
          attempt.getBoolean("ok"), "the removed ts-mls member decrypted: " + attempt.encode());
    }
  }

  @Test
  void aJavaTierAttestationVerifiesInTypeScriptAndForgeriesDoNot() throws Exception {
    try (TsMlsPeer ts = new TsMlsPeer()) {
      Ed25519.KeyPair root = Ed25519.KeyPair.generate();
      Ed25519.KeyPair coordinator = Ed25519.KeyPair.generate();
      Ed25519.KeyPair device = Ed25519.KeyPair.generate();
      Instant now = Instant.parse("2026-11-22T12:00:00Z");
      AttestationChain chain =
          AttestationChain.of(
              TierAttestation.issue(
                  root,
                  TierAttestation.Kind.COORDINATOR,
                  "coord",
                  coordinator.publicKey(),
                  3,
                  "municipality",
                  "skopje",
                  now,
                  now.plus(Duration.ofDays(365))),
              TierAttestation.issue(
                  coordinator,
                  TierAttestation.Kind.DEVICE,
                  "amina",
                  device.publicKey(),
                  2,
                  "youth-work",
                  "skopje",
                  now,
                  now.plus(Duration.ofDays(90))));
      JsonObject request =
          op("verifyAttestation")
              .put("chain", b64(chain.encode()))
              .put("root", b64(root.publicKey()))
              .put("key", b64(device.publicKey()))
              .put("userId", "amina")
              .put("now", now.plusSeconds(60).toString());
      JsonObject verified = ts.call(request).getJsonObject("verified");
      assertEquals("amina", verified.getString("userId"));
      assertEquals(2, verified.getInteger("tier"));
      assertEquals("youth-work", verified.getString("sector"));
      assertEquals("skopje", verified.getString("cityId"));

      byte[] forged = chain.encode();
      forged[forged.length - 3] ^= 1;
      assertEquals(
          "BAD_SIGNATURE", ts.call(request.copy().put("chain", b64(forged))).getString("refused"));
      assertEquals(
          "EXPIRED",
          ts.call(request.copy().put("now", now.plus(Duration.ofDays(91)).toString()))
              .getString("refused"));
      assertEquals(
          "KEY_MISMATCH",
          ts.call(request.copy().put("key", b64(Ed25519.KeyPair.generate().publicKey())))
              .getString("refused"));
      assertEquals(
          "NOT_FROM_ROOT",
          ts.call(request.copy().put("root", b64(coordinator.publicKey()))).getString("refused"));
    }
  }

  /**
   * The attestation travels inside the MLS credential: ts-mls members read each leaf's chain from
   * the ratchet tree and verify it against the root with that leaf's own signature key.
   */
  @Test
  void tsMlsMembersVerifyTheAttestationsCarriedInJavaCredentials() throws Exception {
    try (TsMlsPeer ts = new TsMlsPeer()) {
      Ed25519.KeyPair root = Ed25519.KeyPair.generate();
      Instant now = Instant.parse("2026-11-22T12:00:00Z");
      DeviceIdentity vetted =
          ChannelSessionTest.attest(root, DeviceIdentity.generate("amina", "laptop"), now);
      DeviceIdentity unvetted = DeviceIdentity.generate("mallory", "laptop");
      // Mallory presents Amina's chain on her own key: bound to another key, so refused.
      DeviceIdentity thief =
          DeviceIdentity.generate("amina", "stolen")
              .withAttestation(vetted.credential().chain().orElseThrow());
      byte[] tsKp =
          bytes(
              ts.call(op("keyPackage").put("userId", "elena").put("deviceId", "browser"))
                  .getString("keyPackage"));
      List<byte[]> packages =
          List.of(
              tsKp,
              ChannelSession.newKeyPackage(unvetted).publicBytes(),
              ChannelSession.newKeyPackage(thief).publicBytes());
      ChannelSession.PendingCommit adding =
          ChannelSession.create(vetted, GROUP, Trust.anyone()).add(packages);
      ts.call(op("join").put("welcome", b64(adding.welcome().orElseThrow())));

      JsonObject verdicts =
          ts.call(
                  op("verifyMembers")
                      .put("root", b64(root.publicKey()))
                      .put("now", now.plusSeconds(60).toString()))
              .getJsonObject("members");
      assertEquals("T2 youth-work", verdicts.getString("amina/laptop"));
      assertEquals("refused: KEY_MISMATCH", verdicts.getString("amina/stolen"));
      assertEquals("refused: MISSING", verdicts.getString("mallory/laptop"));
      assertEquals("refused: MISSING", verdicts.getString("elena/browser"));
    }
  }

  private static void assertSameEpoch(ChannelSession java, TsMlsPeer ts) throws Exception {
    JsonObject status = ts.call(op("status"));
    assertEquals(java.epoch(), status.getLong("epoch"));
    assertArrayEquals(
        java.epochAuthenticator(),
        bytes(status.getString("epochAuthenticator")),
        "epoch authenticators");
  }
}
