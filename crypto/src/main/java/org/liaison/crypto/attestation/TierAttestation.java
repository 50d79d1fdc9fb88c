package org.liaison.crypto.attestation;

import java.time.Instant;
import java.util.HexFormat;
import org.liaison.crypto.Ed25519;
import org.liaison.crypto.Labels;
import org.liaison.crypto.codec.CanonicalReader;
import org.liaison.crypto.codec.CanonicalWriter;

/**
 * A signed statement "this key belongs to this user (or coordinator), vetted at this tier, in this
 * sector and city, until then". Coordinators' keys are attested by the network root; devices' keys
 * by a coordinator (or the root). Encoded canonically, signed with Ed25519 under {@link
 * Labels#TIER_ATTESTATION}.
 *
 * <pre>
 * struct {
 *   uint16 version = 1;
 *   uint8  kind;              // 1 coordinator, 2 device
 *   opaque user_id&lt;0..64&gt;;
 *   opaque subject_key&lt;32&gt;; // Ed25519 public key being attested
 *   uint8  tier;              // 0..3 (T0..T3); for a coordinator, the highest it may grant
 *   opaque sector&lt;0..64&gt;;
 *   opaque city_id&lt;0..64&gt;;  // empty: the whole network (coordinators only)
 *   uint64 issued_at;         // seconds since the epoch
 *   uint64 expires_at;
 *   opaque issuer_key&lt;32&gt;;
 * } body;
 * body || signature[64]
 * </pre>
 */
public record TierAttestation(
    Kind kind,
    String userId,
    byte[] subjectKey,
    int tier,
    String sector,
    String cityId,
    Instant issuedAt,
    Instant expiresAt,
    byte[] issuerKey,
    byte[] signature) {

  static final int VERSION = 1;
  private static final int MAX_TEXT = 64;

  public enum Kind {
    COORDINATOR(1),
    DEVICE(2);

    final int code;

    Kind(int code) {
      this.code = code;
    }

    static Kind of(int code) {
      for (Kind kind : values()) {
        if (kind.code == code) {
          return kind;
        }
      }
      throw new org.liaison.crypto.codec.DecodeException("unknown attestation kind " + code);
    }
  }

  public TierAttestation {
    if (tier < 0 || tier > 3) {
      throw new IllegalArgumentException("tier must be 0..3");
    }
    if (subjectKey.length != Ed25519.PUBLIC_KEY_LENGTH
        || issuerKey.length != Ed25519.PUBLIC_KEY_LENGTH) {
      throw new IllegalArgumentException("keys must be Ed25519 public keys");
    }
    subjectKey = subjectKey.clone();
    issuerKey = issuerKey.clone();
    signature = signature.clone();
  }

  /** Signs an attestation with the issuer's key. */
  public static TierAttestation issue(
      Ed25519.KeyPair issuer,
      Kind kind,
      String userId,
      byte[] subjectKey,
      int tier,
      String sector,
      String cityId,
      Instant issuedAt,
      Instant expiresAt) {
    TierAttestation unsigned =
        new TierAttestation(
            kind,
            userId,
            subjectKey,
            tier,
            sector,
            cityId,
            issuedAt,
            expiresAt,
            issuer.publicKey(),
            new byte[0]);
    return unsigned.withSignature(issuer.sign(Labels.TIER_ATTESTATION, unsigned.body()));
  }

  private TierAttestation withSignature(byte[] signature) {
    return new TierAttestation(
        kind, userId, subjectKey, tier, sector, cityId, issuedAt, expiresAt, issuerKey, signature);
  }

  /** The signed part. */
  public byte[] body() {
    return new CanonicalWriter()
        .u16(VERSION)
        .u8(kind.code)
        .text8(userId)
        .opaque8(subjectKey)
        .u8(tier)
        .text8(sector)
        .text8(cityId)
        .u64(issuedAt.getEpochSecond())
        .u64(expiresAt.getEpochSecond())
        .opaque8(issuerKey)
        .toByteArray();
  }

  public byte[] encode() {
    byte[] body = body();
    byte[] out = java.util.Arrays.copyOf(body, body.length + signature.length);
    System.arraycopy(signature, 0, out, body.length, signature.length);
    return out;
  }

  public static TierAttestation decode(byte[] bytes) {
    CanonicalReader in = new CanonicalReader(bytes);
    int version = in.u16("version");
    if (version != VERSION) {
      throw new org.liaison.crypto.codec.DecodeException(
          "unsupported attestation version " + version);
    }
    Kind kind = Kind.of(in.u8("kind"));
    String userId = in.text8("user id", MAX_TEXT);
    byte[] subjectKey = exactly(in.opaque8("subject key", 32), "subject key");
    int tier = in.u8("tier");
    if (tier > 3) {
      throw new org.liaison.crypto.codec.DecodeException("tier out of range");
    }
    String sector = in.text8("sector", MAX_TEXT);
    String cityId = in.text8("city id", MAX_TEXT);
    Instant issued = Instant.ofEpochSecond(seconds(in.u64("issued at")));
    Instant expires = Instant.ofEpochSecond(seconds(in.u64("expires at")));
    byte[] issuerKey = exactly(in.opaque8("issuer key", 32), "issuer key");
    byte[] signature = new byte[Ed25519.SIGNATURE_LENGTH];
    for (int i = 0; i < signature.length; i++) {
      signature[i] = (byte) in.u8("signature");
    }
    in.end();
    return new TierAttestation(
        kind, userId, subjectKey, tier, sector, cityId, issued, expires, issuerKey, signature);
  }

  private static byte[] exactly(byte[] key, String what) {
    if (key.length != Ed25519.PUBLIC_KEY_LENGTH) {
      throw new org.liaison.crypto.codec.DecodeException(what + " is not 32 bytes");
    }
    return key;
  }

  private static long seconds(long value) {
    // Instant's range ends in the year 1e9; anything that large is forged or corrupt.
    if (value < 0 || value > 253_402_300_799L) {
      throw new org.liaison.crypto.codec.DecodeException("timestamp out of range");
    }
    return value;
  }

  public boolean signatureValid() {
    return Ed25519.verify(issuerKey, Labels.TIER_ATTESTATION, body(), signature);
  }

  @Override
  public String toString() {
    return "TierAttestation["
        + kind
        + " user="
        + userId
        + " T"
        + tier
        + " "
        + sector
        + " city="
        + cityId
        + " key="
        + HexFormat.of().formatHex(subjectKey, 0, 4)
        + "… until "
        + expiresAt
        + "]";
  }
}
