package org.liaison.crypto.documents;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.liaison.crypto.Ed25519;

/**
 * Deterministic test vectors for the document crypto (fixed keys, fixed nonces through {@link
 * DocumentCipher}'s package-private seam), shared with the web client's tests.
 */
final class DocumentVectors {
  static final String PATH = "src/test/resources/documents/vectors.json";
  static final String DOC = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
  static final String CHANNEL = "5f0c2a9e-channel";
  static final String DEVICE = "device-7a3b";

  private DocumentVectors() {}

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

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static final byte[] GENERATION_KEY = filled(32, 0x00);
  static final byte[] KEYRING_KEY = filled(32, 0x40);
  static final byte[] SIGNER_SEED = filled(32, 0x80);

  static JsonObject context(DocumentAad aad) {
    JsonObject context = new JsonObject();
    if (aad instanceof DocumentAad.Keyring k) {
      return context.put("channelId", k.channelId()).put("epoch", k.epoch());
    }
    DocumentAad.OfDocument record = (DocumentAad.OfDocument) aad;
    context.put("documentId", record.documentId()).put("generation", record.generation());
    if (aad instanceof DocumentAad.Update u) {
      context.put("authorDeviceId", u.authorDeviceId()).put("clientSeq", u.clientSeq());
    } else if (aad instanceof DocumentAad.Snapshot s) {
      context.put("coversSeq", s.coversSeq()).put("authorDeviceId", s.authorDeviceId());
    } else if (aad instanceof DocumentAad.Version v) {
      context.put("authorDeviceId", v.authorDeviceId());
    } else if (aad instanceof DocumentAad.Presence p) {
      context.put("authorDeviceId", p.authorDeviceId());
    }
    return context;
  }

  static DocumentAad aad(String kind, JsonObject c) {
    return switch (kind) {
      case "keyring" -> new DocumentAad.Keyring(c.getString("channelId"), c.getLong("epoch"));
      case "header" -> new DocumentAad.Header(c.getString("documentId"), c.getLong("generation"));
      case "update" ->
          new DocumentAad.Update(
              c.getString("documentId"),
              c.getLong("generation"),
              c.getString("authorDeviceId"),
              c.getLong("clientSeq"));
      case "snapshot" ->
          new DocumentAad.Snapshot(
              c.getString("documentId"),
              c.getLong("generation"),
              c.getLong("coversSeq"),
              c.getString("authorDeviceId"));
      case "version" ->
          new DocumentAad.Version(
              c.getString("documentId"), c.getLong("generation"), c.getString("authorDeviceId"));
      case "presence" ->
          new DocumentAad.Presence(
              c.getString("documentId"), c.getLong("generation"), c.getString("authorDeviceId"));
      default -> throw new IllegalArgumentException("unknown kind " + kind);
    };
  }

  static String kind(DocumentAad aad) {
    return aad.label().substring("liaison/v1/doc-".length());
  }

  static boolean signed(DocumentAad aad) {
    return aad instanceof DocumentAad.Update
        || aad instanceof DocumentAad.Snapshot
        || aad instanceof DocumentAad.Version;
  }

  static JsonObject record(DocumentAad aad, byte[] rootKey, byte[] plaintext, byte[] nonce) {
    Ed25519.KeyPair signer = Ed25519.KeyPair.fromPrivate(SIGNER_SEED);
    byte[] sealed = DocumentCipher.seal(rootKey, aad, plaintext, nonce);
    JsonObject record =
        new JsonObject()
            .put("kind", kind(aad))
            .put("rootKey", b64(rootKey))
            .put("context", context(aad))
            .put("aad", aad.text())
            .put("plaintext", b64(plaintext))
            .put("nonce", b64(nonce))
            .put("recordKey", b64(DocumentCipher.recordKey(rootKey, aad)))
            .put("padded", b64(DocumentPadding.pad(plaintext)))
            .put("sealed", b64(sealed));
    if (signed(aad)) {
      record
          .put("signatureDigest", b64(DocumentSignature.digest(aad, sealed)))
          .put("signature", b64(DocumentSignature.sign(signer, aad, sealed)));
    }
    return record;
  }

  static JsonObject refused(
      String why, String reason, DocumentAad aad, byte[] rootKey, byte[] sealed, byte[] signature) {
    JsonObject entry =
        new JsonObject()
            .put("why", why)
            .put("reason", reason)
            .put("kind", kind(aad))
            .put("rootKey", b64(rootKey))
            .put("context", context(aad))
            .put("sealed", b64(sealed));
    return signature == null ? entry : entry.put("signature", b64(signature));
  }

  static JsonObject build() {
    Ed25519.KeyPair signer = Ed25519.KeyPair.fromPrivate(SIGNER_SEED);
    DocumentKeyring keyring =
        new DocumentKeyring(
            java.util.List.of(
                new DocumentKeyring.Generation(3, GENERATION_KEY),
                new DocumentKeyring.Generation(9, filled(32, 0x20))));
    DocumentAad update = new DocumentAad.Update(DOC, 3, DEVICE, 1);
    JsonArray records =
        new JsonArray()
            .add(
                record(
                    new DocumentAad.Keyring(CHANNEL, 9),
                    KEYRING_KEY,
                    keyring.encode(),
                    filled(12, 0xA0)))
            .add(
                record(
                    new DocumentAad.Header(DOC, 3),
                    GENERATION_KEY,
                    utf8(
                        "{\"title\":\"Action plan 2027 – Malmö\",\"template\":\"liaison/action-plan\"}"),
                    filled(12, 0xB0)))
            .add(record(update, GENERATION_KEY, filled(300, 0x11), filled(12, 0xC0)))
            .add(
                record(
                    new DocumentAad.Snapshot(DOC, 3, 200, DEVICE),
                    GENERATION_KEY,
                    filled(1000, 0x22),
                    filled(12, 0xD0)))
            .add(
                record(
                    new DocumentAad.Version(DOC, 3, DEVICE),
                    GENERATION_KEY,
                    utf8(
                        "{\"name\":\"sent to the national coordinator\",\"heads\":[\"ab12\"],\"note\":\"\"}"),
                    filled(12, 0xE0)))
            .add(
                record(
                    new DocumentAad.Presence(DOC, 3, DEVICE),
                    GENERATION_KEY,
                    utf8("{\"path\":[\"meta\",\"title\"],\"name\":\"Ana\"}"),
                    filled(12, 0xF0)))
            .add(
                record(
                    new DocumentAad.Header(DOC, 3), GENERATION_KEY, new byte[0], filled(12, 0x01)));

    byte[] updateSealed =
        DocumentCipher.seal(GENERATION_KEY, update, filled(300, 0x11), filled(12, 0xC0));
    byte[] updateSignature = DocumentSignature.sign(signer, update, updateSealed);
    byte[] flipped = updateSealed.clone();
    flipped[40] ^= 1;
    byte[] nonZeroPadding = DocumentPadding.pad(utf8("title"));
    nonZeroPadding[255] = 1;
    byte[] longLength = DocumentPadding.pad(utf8("title"));
    longLength[3] = (byte) 253;
    DocumentAad header = new DocumentAad.Header(DOC, 3);
    JsonArray refused =
        new JsonArray()
            .add(
                refused(
                    "another clientSeq in the AAD",
                    "NOT_AUTHENTIC",
                    new DocumentAad.Update(DOC, 3, DEVICE, 2),
                    GENERATION_KEY,
                    updateSealed,
                    null))
            .add(
                refused(
                    "another author in the AAD",
                    "NOT_AUTHENTIC",
                    new DocumentAad.Update(DOC, 3, "device-other", 1),
                    GENERATION_KEY,
                    updateSealed,
                    null))
            .add(
                refused(
                    "another generation in the AAD",
                    "NOT_AUTHENTIC",
                    new DocumentAad.Update(DOC, 4, DEVICE, 1),
                    GENERATION_KEY,
                    updateSealed,
                    null))
            .add(
                refused(
                    "another document",
                    "NOT_AUTHENTIC",
                    new DocumentAad.Update("ffffffffffffffffffffffffffffffff", 3, DEVICE, 1),
                    GENERATION_KEY,
                    updateSealed,
                    null))
            .add(
                refused(
                    "the wrong generation key",
                    "NOT_AUTHENTIC",
                    update,
                    filled(32, 0x20),
                    updateSealed,
                    null))
            .add(
                refused(
                    "one flipped ciphertext bit",
                    "NOT_AUTHENTIC",
                    update,
                    GENERATION_KEY,
                    flipped,
                    null))
            .add(
                refused(
                    "truncated (tag cut off)",
                    "NOT_AUTHENTIC",
                    update,
                    GENERATION_KEY,
                    java.util.Arrays.copyOf(updateSealed, updateSealed.length - 16),
                    null))
            .add(
                refused(
                    "shorter than nonce and tag",
                    "MALFORMED",
                    update,
                    GENERATION_KEY,
                    java.util.Arrays.copyOf(updateSealed, 20),
                    null))
            .add(
                refused(
                    "authentic, non-zero padding",
                    "BAD_PADDING",
                    header,
                    GENERATION_KEY,
                    DocumentCipherTest.sealRaw(GENERATION_KEY, header, nonZeroPadding),
                    null))
            .add(
                refused(
                    "authentic, length beyond the padded size",
                    "BAD_PADDING",
                    header,
                    GENERATION_KEY,
                    DocumentCipherTest.sealRaw(GENERATION_KEY, header, longLength),
                    null))
            .add(
                refused(
                    "authentic, not a multiple of 256 bytes",
                    "BAD_PADDING",
                    header,
                    GENERATION_KEY,
                    DocumentCipherTest.sealRaw(GENERATION_KEY, header, new byte[300]),
                    null))
            .add(
                refused(
                    "signature by another key (forged)",
                    "BAD_SIGNATURE",
                    update,
                    GENERATION_KEY,
                    updateSealed,
                    DocumentSignature.sign(
                        Ed25519.KeyPair.fromPrivate(filled(32, 0x90)), update, updateSealed)))
            .add(
                refused(
                    "signature of another record",
                    "BAD_SIGNATURE",
                    new DocumentAad.Update(DOC, 3, DEVICE, 1),
                    GENERATION_KEY,
                    updateSealed,
                    DocumentSignature.sign(
                        signer, new DocumentAad.Update(DOC, 3, DEVICE, 2), updateSealed)));

    return new JsonObject()
        .put(
            "about",
            "Liaison shared-document crypto test vectors (docs/documents.md, Encryption). Bytes are"
                + " base64url without padding. signer: Ed25519 seed and public key that signs every"
                + " record with a signature. keyring: the key-ring JSON and the keyring key it is"
                + " sealed under. records[]: kind (keyring|header|update|snapshot|version|presence),"
                + " rootKey (the keyring key for kind keyring, else the generation key DK_g),"
                + " context (the AAD fields by name), aad (the AAD string), plaintext, nonce,"
                + " recordKey (HKDF-SHA256(rootKey, salt empty, info = label|documentId), or rootKey"
                + " for the keyring), padded (length[4 BE] || plaintext || zeros to a multiple of"
                + " 256), sealed (nonce || AES-256-GCM ciphertext || tag), and for update, snapshot"
                + " and version: signatureDigest = SHA-256(utf8(aad) || sealed) and signature ="
                + " Ed25519(seed, [len(label)] || utf8('liaison/v1/doc-signature') || digest)."
                + " Sealing plaintext with that nonce must give sealed exactly; opening sealed must"
                + " give plaintext; the signature must verify under signer.publicKey. refused[]:"
                + " inputs that must be refused, with the reason (NOT_AUTHENTIC, MALFORMED,"
                + " BAD_PADDING, BAD_SIGNATURE; BAD_SIGNATURE entries open fine but their signature"
                + " must not verify under signer.publicKey).")
        .put(
            "signer",
            new JsonObject()
                .put("seed", b64(SIGNER_SEED))
                .put("publicKey", b64(signer.publicKey())))
        .put(
            "keyring",
            new JsonObject()
                .put("json", new String(keyring.encode(), StandardCharsets.UTF_8))
                .put("keyringKey", b64(KEYRING_KEY))
                .put("channelId", CHANNEL)
                .put("epoch", 9))
        .put("records", records)
        .put("refused", refused);
  }
}
