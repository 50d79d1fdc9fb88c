package org.liaison.crypto.broadcasts;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.liaison.crypto.Ed25519;
import org.liaison.crypto.attestation.AttestationChain;
import org.liaison.crypto.attestation.TierAttestation;

/**
 * Deterministic broadcast vectors (fixed seeds, times and nonce) shared with the web client's
 * tests. HPKE wraps are randomised, so they are kept in the committed file and checked by opening.
 */
final class BroadcastVectors {
  static final String PATH = "src/test/resources/broadcasts/vectors.json";
  static final byte[] ID = HexFormat.of().parseHex("0f1e2d3c4b5a69788796a5b4c3d2e1f0");
  static final String AUTHOR = "5a1e0000000000000000000000000001";
  static final String AUTHOR_DEVICE = "de71ce00000000000000000000000001";
  static final String RECIPIENT = "5a1e0000000000000000000000000002";
  static final String RECIPIENT_DEVICE = "de71ce00000000000000000000000002";
  static final String SKOPJE = "c1770000000000000000000000000001";
  static final String SARAJEVO = "c1770000000000000000000000000002";
  static final Instant ISSUED = Instant.parse("2026-11-01T00:00:00Z");
  static final Instant EXPIRES = Instant.parse("2027-11-01T00:00:00Z");
  static final long CREATED = Instant.parse("2026-12-02T10:00:00Z").toEpochMilli();
  static final String JSON =
      "{\"title\":\"Hochwasser / فيضان\",\"body\":\"Please read before Friday.\","
          + "\"urgency\":\"urgent\",\"deadline\":\"2026-12-04T17:00:00Z\",\"replies\":true}";

  private BroadcastVectors() {}

  static byte[] filled(int length, int start) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) (start + i);
    }
    return bytes;
  }

  static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static byte[] unb64(String text) {
    return Base64.getUrlDecoder().decode(text);
  }

  static final Ed25519.KeyPair ROOT = Ed25519.KeyPair.fromPrivate(filled(32, 1));
  static final Ed25519.KeyPair COORDINATOR = Ed25519.KeyPair.fromPrivate(filled(32, 40));
  static final Ed25519.KeyPair CITY_COORDINATOR = Ed25519.KeyPair.fromPrivate(filled(32, 80));
  static final Ed25519.KeyPair AUTHOR_DEVICE_KEY = Ed25519.KeyPair.fromPrivate(filled(32, 120));
  static final Ed25519.KeyPair RECIPIENT_DEVICE_KEY = Ed25519.KeyPair.fromPrivate(filled(32, 160));
  static final byte[] RECIPIENT_BROADCAST_SECRET = filled(32, 200);
  static final byte[] CONTENT_KEY = filled(32, 7);
  static final byte[] NONCE = filled(12, 99);

  /** Root → the author's coordinator key (network-wide) → the author's device. */
  static AttestationChain authorChain() {
    TierAttestation coordinator = coordinatorAttestation(AUTHOR, COORDINATOR, "");
    return AttestationChain.of(
        coordinator,
        TierAttestation.issue(
            COORDINATOR,
            TierAttestation.Kind.DEVICE,
            AUTHOR,
            AUTHOR_DEVICE_KEY.publicKey(),
            3,
            "municipality",
            SKOPJE,
            ISSUED,
            EXPIRES));
  }

  static TierAttestation coordinatorAttestation(
      String user, Ed25519.KeyPair subject, String cityId) {
    return TierAttestation.issue(
        ROOT,
        TierAttestation.Kind.COORDINATOR,
        user,
        subject.publicKey(),
        3,
        "municipality",
        cityId,
        ISSUED,
        EXPIRES);
  }

  static AttestationChain recipientChain() {
    return AttestationChain.of(
        TierAttestation.issue(
            ROOT,
            TierAttestation.Kind.DEVICE,
            RECIPIENT,
            RECIPIENT_DEVICE_KEY.publicKey(),
            2,
            "youth-work",
            SARAJEVO,
            ISSUED,
            EXPIRES));
  }

  static byte[] sealedContent() {
    return BroadcastContent.seal(
        CONTENT_KEY,
        HexFormat.of().formatHex(ID),
        AUTHOR_DEVICE,
        JSON.getBytes(StandardCharsets.UTF_8),
        NONCE);
  }

  static BroadcastHeader header() {
    return new BroadcastHeader(
        ID,
        AUTHOR,
        AUTHOR_DEVICE,
        List.of(SKOPJE, SARAJEVO),
        List.of("youth-work", "education"),
        1,
        CREATED,
        BroadcastContent.hash(sealedContent()),
        new byte[0]);
  }

  /** Everything deterministic; {@code wraps} is added by the writer and checked by opening. */
  static JsonObject build() {
    BroadcastHeader header = header();
    byte[] recipientPublic = BroadcastWrap.publicKeyOf(RECIPIENT_BROADCAST_SECRET);
    BroadcastKeyStatement statement =
        new BroadcastKeyStatement(
            RECIPIENT_DEVICE, RECIPIENT, recipientPublic, CREATED - 86_400_000);
    BroadcastAck ack =
        new BroadcastAck(ID, header.contentHash(), RECIPIENT, RECIPIENT_DEVICE, CREATED + 60_000);
    BroadcastReminder reminder = new BroadcastReminder(ID, 1, CREATED + 3_600_000);
    BroadcastHeader cityHeader =
        new BroadcastHeader(
            ID,
            AUTHOR,
            AUTHOR_DEVICE,
            List.of(SKOPJE),
            List.of(),
            0,
            CREATED,
            header.contentHash(),
            new byte[0]);
    return new JsonObject()
        .put(
            "about",
            "Liaison broadcast test vectors (docs/broadcasts.md, Exact encodings). Bytes are"
                + " base64url without padding; Ed25519 signatures are deterministic; wraps are"
                + " HPKE and random, so they are checked by opening.")
        .put("rootPublicKey", b64(ROOT.publicKey()))
        .put("now", "2026-12-02T12:00:00Z")
        .put(
            "author",
            new JsonObject()
                .put("userId", AUTHOR)
                .put("deviceId", AUTHOR_DEVICE)
                .put("deviceKey", b64(AUTHOR_DEVICE_KEY.publicKey()))
                .put("chain", b64(authorChain().encode()))
                .put("coordinator", b64(coordinatorAttestation(AUTHOR, COORDINATOR, "").encode()))
                .put(
                    "cityCoordinator",
                    b64(coordinatorAttestation(AUTHOR, CITY_COORDINATOR, SKOPJE).encode())))
        .put(
            "recipient",
            new JsonObject()
                .put("userId", RECIPIENT)
                .put("deviceId", RECIPIENT_DEVICE)
                .put("deviceKey", b64(RECIPIENT_DEVICE_KEY.publicKey()))
                .put("chain", b64(recipientChain().encode()))
                .put("broadcastSecretKey", b64(RECIPIENT_BROADCAST_SECRET))
                .put("broadcastPublicKey", b64(recipientPublic))
                .put("keyStatement", b64(statement.encode()))
                .put("keyStatementSignature", b64(statement.sign(RECIPIENT_DEVICE_KEY))))
        .put(
            "broadcast",
            new JsonObject()
                .put("id", HexFormat.of().formatHex(ID))
                .put("contentKey", b64(CONTENT_KEY))
                .put("json", JSON)
                .put("nonce", b64(NONCE))
                .put("content", b64(sealedContent()))
                .put("contentHash", b64(header.contentHash()))
                .put("header", b64(header.encode()))
                .put("signature", b64(header.sign(AUTHOR_DEVICE_KEY)))
                .put("cityHeader", b64(cityHeader.encode()))
                .put("citySignature", b64(cityHeader.sign(AUTHOR_DEVICE_KEY)))
                .put(
                    "wrapInfo",
                    new String(
                        BroadcastWrap.info(HexFormat.of().formatHex(ID), RECIPIENT_DEVICE),
                        StandardCharsets.UTF_8)))
        .put(
            "ack",
            new JsonObject()
                .put("ackedAt", ack.ackedAtMillis())
                .put("bytes", b64(ack.encode()))
                .put("signature", b64(ack.sign(RECIPIENT_DEVICE_KEY))))
        .put(
            "reminder",
            new JsonObject()
                .put("n", 1)
                .put("at", reminder.atMillis())
                .put("bytes", b64(reminder.encode()))
                .put("signature", b64(reminder.sign(AUTHOR_DEVICE_KEY))))
        .put(
            "refused",
            new JsonArray()
                .add(
                    new JsonObject()
                        .put("case", "member-chain-as-coordinator")
                        .put("coordinator", b64(recipientChain().device().encode()))
                        .put("reason", "AUTHOR_NOT_COORDINATOR"))
                .add(
                    new JsonObject()
                        .put("case", "city-coordinator-to-two-cities")
                        .put(
                            "coordinator",
                            b64(coordinatorAttestation(AUTHOR, CITY_COORDINATOR, SKOPJE).encode()))
                        .put("reason", "SCOPE")));
  }
}
