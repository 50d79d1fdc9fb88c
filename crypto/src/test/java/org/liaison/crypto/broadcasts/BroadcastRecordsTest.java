package org.liaison.crypto.broadcasts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.liaison.crypto.broadcasts.BroadcastVectors.unb64;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.liaison.crypto.attestation.AttestationChain;
import org.liaison.crypto.attestation.AttestationRevocations;

/**
 * The broadcast records against the committed vectors (which the web client checks too), and every
 * single-byte change of what a hostile server relays is refused.
 */
class BroadcastRecordsTest {
  private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");

  static JsonObject committed() throws IOException {
    return new JsonObject(Files.readString(Path.of(BroadcastVectors.PATH)));
  }

  @Test
  @EnabledIfSystemProperty(named = "liaison.writeVectors", matches = "true")
  void writeVectors() throws IOException {
    JsonObject wraps = new JsonObject();
    if (Files.exists(Path.of(BroadcastVectors.PATH))) {
      wraps = committed().getJsonObject("wraps", wraps).copy();
    }
    JsonObject vectors = BroadcastVectors.build();
    byte[] wrap =
        BroadcastWrap.wrap(
            BroadcastWrap.publicKeyOf(BroadcastVectors.RECIPIENT_BROADCAST_SECRET),
            vectors.getJsonObject("broadcast").getString("id"),
            BroadcastVectors.RECIPIENT_DEVICE,
            BroadcastVectors.CONTENT_KEY);
    vectors.put("wraps", wraps.put("fromJava", BroadcastVectors.b64(wrap)));
    Files.writeString(Path.of(BroadcastVectors.PATH), vectors.encodePrettily() + "\n");
  }

  @Test
  void theCommittedVectorsAreWhatThisImplementationProduces() throws IOException {
    JsonObject committed = committed();
    committed.remove("wraps");
    assertEquals(BroadcastVectors.build(), committed);
  }

  @Test
  void wrapsFromJavaAndFromTheWebOpenToTheContentKey() throws IOException {
    JsonObject vectors = committed();
    JsonObject wraps = vectors.getJsonObject("wraps");
    assertTrue(wraps.containsKey("fromWeb"), "a wrap made by @hpke/core is committed");
    for (String from : wraps.fieldNames()) {
      assertArrayEquals(
          BroadcastVectors.CONTENT_KEY,
          BroadcastWrap.unwrap(
              BroadcastVectors.RECIPIENT_BROADCAST_SECRET,
              vectors.getJsonObject("broadcast").getString("id"),
              BroadcastVectors.RECIPIENT_DEVICE,
              unb64(wraps.getString(from))),
          from);
    }
  }

  @Test
  void aWrapOpensOnlyForItsBroadcastDeviceAndKey() {
    BroadcastWrap.KeyPair device = BroadcastWrap.generateKeyPair();
    byte[] wrap =
        BroadcastWrap.wrap(device.publicKey(), "aa", "dev-1", BroadcastVectors.CONTENT_KEY);
    assertEquals(BroadcastWrap.WRAP_LENGTH, wrap.length);
    assertArrayEquals(
        BroadcastVectors.CONTENT_KEY,
        BroadcastWrap.unwrap(device.secretKey(), "aa", "dev-1", wrap));
    assertArrayEquals(device.publicKey(), BroadcastWrap.publicKeyOf(device.secretKey()));
    assertRefused(
        BroadcastException.Reason.CANNOT_OPEN,
        () -> BroadcastWrap.unwrap(device.secretKey(), "aa", "dev-2", wrap));
    assertRefused(
        BroadcastException.Reason.CANNOT_OPEN,
        () -> BroadcastWrap.unwrap(device.secretKey(), "bb", "dev-1", wrap));
    assertRefused(
        BroadcastException.Reason.CANNOT_OPEN,
        () ->
            BroadcastWrap.unwrap(BroadcastWrap.generateKeyPair().secretKey(), "aa", "dev-1", wrap));
    for (int i = 0; i < wrap.length; i++) {
      byte[] flipped = flip(wrap, i);
      assertRefused(
          BroadcastException.Reason.CANNOT_OPEN,
          () -> BroadcastWrap.unwrap(device.secretKey(), "aa", "dev-1", flipped));
    }
  }

  @Test
  void theAuthorProofAndHeaderVerifyAgainstTheRoot() throws IOException {
    JsonObject vectors = committed();
    JsonObject broadcast = vectors.getJsonObject("broadcast");
    AttestationChain.Verified author =
        networkProof(vectors)
            .verifySigned(
                root(vectors),
                unb64(broadcast.getString("header")),
                unb64(broadcast.getString("signature")),
                NOW);
    assertEquals(BroadcastVectors.AUTHOR, author.userId());
    BroadcastHeader header = BroadcastHeader.decode(unb64(broadcast.getString("header")));
    assertArrayEquals(header.encode(), unb64(broadcast.getString("header")));
    assertTrue(header.covers(BroadcastVectors.SARAJEVO, "youth-work", 2));
    assertFalse(header.covers(BroadcastVectors.SARAJEVO, "police", 2));
    assertFalse(header.covers(BroadcastVectors.SARAJEVO, "youth-work", 0));
    assertFalse(header.covers("elsewhere", "youth-work", 3));
    assertArrayEquals(
        header.contentHash(), BroadcastContent.hash(unb64(broadcast.getString("content"))));
    assertEquals(
        broadcast.getString("json"),
        new String(
            BroadcastContent.open(
                unb64(broadcast.getString("contentKey")),
                broadcast.getString("id"),
                BroadcastVectors.AUTHOR_DEVICE,
                unb64(broadcast.getString("content"))),
            StandardCharsets.UTF_8));
  }

  @Test
  void aCityCoordinatorMayAddressOnlyTheirOwnCity() throws IOException {
    JsonObject vectors = committed();
    JsonObject broadcast = vectors.getJsonObject("broadcast");
    AuthorProof cityProof =
        AuthorProof.decode(
            unb64(vectors.getJsonObject("author").getString("chain")),
            unb64(vectors.getJsonObject("author").getString("cityCoordinator")));
    cityProof.verifySigned(
        root(vectors),
        unb64(broadcast.getString("cityHeader")),
        unb64(broadcast.getString("citySignature")),
        NOW);
    for (Object entry : vectors.getJsonArray("refused")) {
      JsonObject refused = (JsonObject) entry;
      AuthorProof proof =
          AuthorProof.decode(
              unb64(vectors.getJsonObject("author").getString("chain")),
              unb64(refused.getString("coordinator")));
      assertRefused(
          BroadcastException.Reason.valueOf(refused.getString("reason")),
          () ->
              proof.verifySigned(
                  root(vectors),
                  unb64(broadcast.getString("header")),
                  unb64(broadcast.getString("signature")),
                  NOW));
    }
  }

  @Test
  void aMembersOwnChainCannotSignAsAuthor() throws IOException {
    JsonObject vectors = committed();
    JsonObject broadcast = vectors.getJsonObject("broadcast");
    AuthorProof memberAsAuthor =
        AuthorProof.decode(
            unb64(vectors.getJsonObject("recipient").getString("chain")),
            unb64(vectors.getJsonObject("author").getString("coordinator")));
    assertRefused(
        BroadcastException.Reason.BAD_SIGNATURE,
        () ->
            memberAsAuthor.verifySigned(
                root(vectors),
                unb64(broadcast.getString("header")),
                unb64(broadcast.getString("signature")),
                NOW));
    BroadcastHeader header = BroadcastVectors.header();
    assertRefused(
        BroadcastException.Reason.NOT_FROM_AUTHOR,
        () ->
            networkProof(vectors)
                .verify(
                    root(vectors), header, BroadcastVectors.RECIPIENT_DEVICE_KEY.publicKey(), NOW));
    AuthorProof lapsed =
        new AuthorProof(
            BroadcastVectors.authorChain(),
            org.liaison.crypto.attestation.TierAttestation.issue(
                BroadcastVectors.ROOT,
                org.liaison.crypto.attestation.TierAttestation.Kind.COORDINATOR,
                BroadcastVectors.AUTHOR,
                BroadcastVectors.COORDINATOR.publicKey(),
                3,
                "municipality",
                "",
                BroadcastVectors.ISSUED,
                Instant.parse("2026-12-02T11:00:00Z")));
    assertRefused(
        BroadcastException.Reason.AUTHOR_NOT_COORDINATOR,
        () ->
            lapsed.verify(
                root(vectors), header, BroadcastVectors.AUTHOR_DEVICE_KEY.publicKey(), NOW));
  }

  @Test
  void aRevokedAuthorIsRefused() throws IOException {
    AuthorProof proof = networkProof(committed());
    AttestationRevocations revocations = new AttestationRevocations();
    proof.requireNotRevoked(revocations);
    revocations.add(List.of(AttestationRevocations.hash(proof.coordinator())));
    assertRefused(BroadcastException.Reason.REVOKED, () -> proof.requireNotRevoked(revocations));
  }

  @Test
  void everySingleByteChangeOfHeaderContentOrProofIsRefused() throws IOException {
    JsonObject vectors = committed();
    JsonObject broadcast = vectors.getJsonObject("broadcast");
    byte[] header = unb64(broadcast.getString("header"));
    byte[] signature = unb64(broadcast.getString("signature"));
    byte[] content = unb64(broadcast.getString("content"));
    byte[] chain = unb64(vectors.getJsonObject("author").getString("chain"));
    byte[] coordinator = unb64(vectors.getJsonObject("author").getString("coordinator"));
    AuthorProof proof = networkProof(vectors);
    for (int i = 0; i < header.length; i++) {
      byte[] flipped = flip(header, i);
      assertThrows(
          BroadcastException.class,
          () -> proof.verifySigned(root(vectors), flipped, signature, NOW));
    }
    for (int i = 0; i < signature.length; i++) {
      byte[] flipped = flip(signature, i);
      assertThrows(
          BroadcastException.class, () -> proof.verifySigned(root(vectors), header, flipped, NOW));
    }
    BroadcastHeader decoded = BroadcastHeader.decode(header);
    for (int i = 0; i < content.length; i++) {
      byte[] flipped = flip(content, i);
      assertFalse(java.util.Arrays.equals(decoded.contentHash(), BroadcastContent.hash(flipped)));
      assertRefused(
          BroadcastException.Reason.CANNOT_OPEN,
          () ->
              BroadcastContent.open(
                  BroadcastVectors.CONTENT_KEY,
                  decoded.idHex(),
                  decoded.authorDeviceId(),
                  flipped));
    }
    for (int i = 0; i < chain.length; i++) {
      byte[] flipped = flip(chain, i);
      assertProofRefused(vectors, flipped, coordinator, header, signature);
    }
    for (int i = 0; i < coordinator.length; i++) {
      byte[] flipped = flip(coordinator, i);
      assertProofRefused(vectors, chain, flipped, header, signature);
    }
  }

  @Test
  void keyStatementsAcksAndRemindersVerifyOnlyUnderTheirDevice() throws IOException {
    JsonObject vectors = committed();
    JsonObject recipient = vectors.getJsonObject("recipient");
    byte[] recipientKey = unb64(recipient.getString("deviceKey"));
    byte[] authorKey = unb64(vectors.getJsonObject("author").getString("deviceKey"));
    BroadcastKeyStatement statement =
        BroadcastKeyStatement.decode(unb64(recipient.getString("keyStatement")));
    byte[] statementSignature = unb64(recipient.getString("keyStatementSignature"));
    assertTrue(statement.verify(recipientKey, statementSignature));
    assertFalse(statement.verify(authorKey, statementSignature));
    assertArrayEquals(unb64(recipient.getString("broadcastPublicKey")), statement.publicKey());

    BroadcastHeader header = BroadcastVectors.header();
    JsonObject ackVector = vectors.getJsonObject("ack");
    BroadcastAck ack =
        new BroadcastAck(
            header.broadcastId(),
            header.contentHash(),
            BroadcastVectors.RECIPIENT,
            BroadcastVectors.RECIPIENT_DEVICE,
            ackVector.getLong("ackedAt"));
    assertArrayEquals(unb64(ackVector.getString("bytes")), ack.encode());
    assertTrue(ack.verify(recipientKey, unb64(ackVector.getString("signature"))));
    assertFalse(ack.verify(authorKey, unb64(ackVector.getString("signature"))));
    BroadcastAck later =
        new BroadcastAck(
            header.broadcastId(),
            header.contentHash(),
            BroadcastVectors.RECIPIENT,
            BroadcastVectors.RECIPIENT_DEVICE,
            ackVector.getLong("ackedAt") + 1);
    assertFalse(later.verify(recipientKey, unb64(ackVector.getString("signature"))));

    JsonObject reminderVector = vectors.getJsonObject("reminder");
    BroadcastReminder reminder =
        new BroadcastReminder(header.broadcastId(), 1, reminderVector.getLong("at"));
    assertTrue(reminder.verify(authorKey, unb64(reminderVector.getString("signature"))));
    assertFalse(
        new BroadcastReminder(header.broadcastId(), 2, reminderVector.getLong("at"))
            .verify(authorKey, unb64(reminderVector.getString("signature"))));
  }

  @Test
  void malformedRecordsAreRefusedAsMalformed() {
    BroadcastHeader header = BroadcastVectors.header();
    byte[] bytes = header.encode();
    assertRefused(
        BroadcastException.Reason.MALFORMED,
        () -> BroadcastHeader.decode(java.util.Arrays.copyOf(bytes, bytes.length - 1)));
    assertRefused(
        BroadcastException.Reason.MALFORMED,
        () -> BroadcastHeader.decode(java.util.Arrays.copyOf(bytes, bytes.length + 1)));
    // The same audience in another order is another encoding of one value: refused.
    byte[] swapped = bytes.clone();
    int first = 2 + 1 + 16 + 1 + 32 + 1 + 32 + 1 + 1;
    byte[] skopje = BroadcastVectors.SKOPJE.getBytes(StandardCharsets.UTF_8);
    byte[] sarajevo = BroadcastVectors.SARAJEVO.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(sarajevo, 0, swapped, first, 32);
    System.arraycopy(skopje, 0, swapped, first + 33, 32);
    assertRefused(BroadcastException.Reason.MALFORMED, () -> BroadcastHeader.decode(swapped));
    assertRefused(
        BroadcastException.Reason.MALFORMED,
        () -> BroadcastKeyStatement.decode(new byte[] {0, 1, 0}));
    assertRefused(
        BroadcastException.Reason.MALFORMED,
        () -> AuthorProof.decode(new byte[] {1, 0, 3, 1, 2, 3}, new byte[] {0}));
  }

  private static void assertProofRefused(
      JsonObject vectors, byte[] chain, byte[] coordinator, byte[] header, byte[] signature) {
    try {
      AuthorProof.decode(chain, coordinator).verifySigned(root(vectors), header, signature, NOW);
      fail("a changed proof verified");
    } catch (BroadcastException expected) {
      // refused, for whichever reason the change caused
    }
  }

  private static AuthorProof networkProof(JsonObject vectors) {
    return AuthorProof.decode(
        unb64(vectors.getJsonObject("author").getString("chain")),
        unb64(vectors.getJsonObject("author").getString("coordinator")));
  }

  private static byte[] root(JsonObject vectors) {
    return unb64(vectors.getString("rootPublicKey"));
  }

  private static byte[] flip(byte[] bytes, int index) {
    byte[] out = bytes.clone();
    out[index] ^= 0x01;
    return out;
  }

  private static void assertRefused(BroadcastException.Reason reason, Runnable action) {
    BroadcastException refused = assertThrows(BroadcastException.class, action::run);
    assertEquals(reason, refused.reason(), refused.getMessage());
  }
}
