package org.liaison.crypto.documents;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.liaison.crypto.Ed25519;
import org.liaison.crypto.mls.DeviceIdentity;

class DocumentCipherTest {
  static final String DOC = "0123456789abcdef0123456789abcdef";
  static final String OTHER_DOC = "fedcba9876543210fedcba9876543210";
  final byte[] generationKey = DocumentKeys.newGenerationKey();

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static Stream<DocumentAad> records() {
    return Stream.of(
        new DocumentAad.Keyring("c-1", 7),
        new DocumentAad.Header(DOC, 3),
        new DocumentAad.Update(DOC, 3, "dev-a", 12),
        new DocumentAad.Snapshot(DOC, 3, 200, "dev-a"),
        new DocumentAad.Version(DOC, 3, "dev-a"),
        new DocumentAad.Presence(DOC, 3, "dev-a"));
  }

  /** The same record with each AAD field changed in turn: none of them may open it. */
  static List<DocumentAad> neighbours(DocumentAad aad) {
    if (aad instanceof DocumentAad.Keyring k) {
      return List.of(new DocumentAad.Keyring("c-2", k.epoch()), new DocumentAad.Keyring("c-1", 8));
    }
    if (aad instanceof DocumentAad.Header) {
      return List.of(new DocumentAad.Header(OTHER_DOC, 3), new DocumentAad.Header(DOC, 4));
    }
    if (aad instanceof DocumentAad.Update) {
      return List.of(
          new DocumentAad.Update(OTHER_DOC, 3, "dev-a", 12),
          new DocumentAad.Update(DOC, 4, "dev-a", 12),
          new DocumentAad.Update(DOC, 3, "dev-b", 12),
          new DocumentAad.Update(DOC, 3, "dev-a", 13));
    }
    if (aad instanceof DocumentAad.Snapshot) {
      return List.of(
          new DocumentAad.Snapshot(OTHER_DOC, 3, 200, "dev-a"),
          new DocumentAad.Snapshot(DOC, 4, 200, "dev-a"),
          new DocumentAad.Snapshot(DOC, 3, 201, "dev-a"),
          new DocumentAad.Snapshot(DOC, 3, 200, "dev-b"));
    }
    if (aad instanceof DocumentAad.Version) {
      return List.of(
          new DocumentAad.Version(OTHER_DOC, 3, "dev-a"),
          new DocumentAad.Version(DOC, 4, "dev-a"),
          new DocumentAad.Version(DOC, 3, "dev-b"),
          // Same key material and fields, another kind of record.
          new DocumentAad.Presence(DOC, 3, "dev-a"));
    }
    return List.of(
        new DocumentAad.Presence(OTHER_DOC, 3, "dev-a"),
        new DocumentAad.Presence(DOC, 4, "dev-a"),
        new DocumentAad.Presence(DOC, 3, "dev-b"),
        new DocumentAad.Version(DOC, 3, "dev-a"));
  }

  static DocumentCryptoException.Reason refusal(Runnable open) {
    return assertThrows(DocumentCryptoException.class, open::run).reason();
  }

  @ParameterizedTest
  @MethodSource("records")
  void everyRecordRoundTripsAndOpensOnlyInItsOwnContext(DocumentAad aad) {
    byte[] plaintext = bytes("{\"title\":\"Action plan 2027\"}");
    byte[] sealed = DocumentCipher.seal(generationKey, aad, plaintext);

    assertArrayEquals(plaintext, DocumentCipher.open(generationKey, aad, sealed));
    for (DocumentAad other : neighbours(aad)) {
      assertEquals(
          DocumentCryptoException.Reason.NOT_AUTHENTIC,
          refusal(() -> DocumentCipher.open(generationKey, other, sealed)),
          other.text());
    }
    assertEquals(
        DocumentCryptoException.Reason.NOT_AUTHENTIC,
        refusal(() -> DocumentCipher.open(DocumentKeys.newGenerationKey(), aad, sealed)));
  }

  @Test
  void everyFlippedBitAndEveryTruncationIsRefused() {
    DocumentAad aad = new DocumentAad.Update(DOC, 3, "dev-a", 1);
    byte[] sealed = DocumentCipher.seal(generationKey, aad, bytes("hello"));
    for (int i = 0; i < sealed.length; i++) {
      byte[] flipped = sealed.clone();
      flipped[i] ^= 1;
      assertEquals(
          DocumentCryptoException.Reason.NOT_AUTHENTIC,
          refusal(() -> DocumentCipher.open(generationKey, aad, flipped)),
          "byte " + i);
    }
    for (int length : new int[] {0, 11, 27, sealed.length - 16, sealed.length - 1}) {
      byte[] cut = Arrays.copyOf(sealed, length);
      DocumentCryptoException.Reason reason =
          refusal(() -> DocumentCipher.open(generationKey, aad, cut));
      assertEquals(
          length < 28
              ? DocumentCryptoException.Reason.MALFORMED
              : DocumentCryptoException.Reason.NOT_AUTHENTIC,
          reason,
          "length " + length);
    }
  }

  @Test
  void plaintextsArePaddedToMultiplesOf256Bytes() {
    DocumentAad aad = new DocumentAad.Update(DOC, 3, "dev-a", 1);
    int overhead = DocumentCipher.NONCE_LENGTH + DocumentCipher.TAG_LENGTH;
    assertEquals(256 + overhead, DocumentCipher.seal(generationKey, aad, new byte[0]).length);
    assertEquals(256 + overhead, DocumentCipher.seal(generationKey, aad, new byte[252]).length);
    assertEquals(512 + overhead, DocumentCipher.seal(generationKey, aad, new byte[253]).length);
    byte[] large = new byte[100_000];
    new Random(1).nextBytes(large);
    assertArrayEquals(
        large,
        DocumentCipher.open(generationKey, aad, DocumentCipher.seal(generationKey, aad, large)));
  }

  @Test
  void authenticRecordsWithWrongPaddingAreRefused() {
    DocumentAad aad = new DocumentAad.Header(DOC, 3);
    byte[] good = DocumentPadding.pad(bytes("title"));
    byte[] nonZero = good.clone();
    nonZero[255] = 1;
    byte[] longLength = good.clone();
    longLength[3] = (byte) 253;
    byte[] oddSize = Arrays.copyOf(good, 300);
    byte[] tooMuchPadding = Arrays.copyOf(good, 512);
    for (byte[] padded : List.of(nonZero, longLength, oddSize, tooMuchPadding, new byte[0])) {
      byte[] sealed = sealRaw(generationKey, aad, padded);
      assertEquals(
          DocumentCryptoException.Reason.BAD_PADDING,
          refusal(() -> DocumentCipher.open(generationKey, aad, sealed)));
    }
  }

  /** Seals already-framed bytes, bypassing the padding, as a faulty or hostile client might. */
  static byte[] sealRaw(byte[] generationKey, DocumentAad aad, byte[] framed) {
    try {
      javax.crypto.Cipher gcm = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
      byte[] nonce = new byte[12];
      gcm.init(
          javax.crypto.Cipher.ENCRYPT_MODE,
          new javax.crypto.spec.SecretKeySpec(DocumentCipher.recordKey(generationKey, aad), "AES"),
          new javax.crypto.spec.GCMParameterSpec(128, nonce));
      gcm.updateAAD(aad.bytes());
      byte[] body = gcm.doFinal(framed);
      byte[] sealed = new byte[12 + body.length];
      System.arraycopy(body, 0, sealed, 12, body.length);
      return sealed;
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void keysDifferPerDocumentAndPurpose() {
    byte[] update = DocumentKeys.derive(generationKey, "liaison/v1/doc-update", DOC);
    assertEquals(32, update.length);
    assertFalse(
        Arrays.equals(
            update, DocumentKeys.derive(generationKey, "liaison/v1/doc-update", OTHER_DOC)));
    assertFalse(
        Arrays.equals(update, DocumentKeys.derive(generationKey, "liaison/v1/doc-header", DOC)));
    assertArrayEquals(update, DocumentKeys.derive(generationKey, "liaison/v1/doc-update", DOC));
  }

  @Test
  void aadFieldsRefuseTheSeparator() {
    assertThrows(IllegalArgumentException.class, () -> new DocumentAad.Header("a|b", 1));
    assertThrows(IllegalArgumentException.class, () -> new DocumentAad.Update(DOC, 1, "dev|1", 1));
    assertThrows(IllegalArgumentException.class, () -> new DocumentAad.Update(DOC, -1, "d", 1));
    assertThrows(IllegalArgumentException.class, () -> new DocumentAad.Keyring("", 1));
    assertEquals(
        "liaison/v1/doc-update|" + DOC + "|3|dev-a|12",
        new DocumentAad.Update(DOC, 3, "dev-a", 12).text());
    assertEquals(
        "liaison/v1/doc-snapshot|" + DOC + "|3|200|dev-a",
        new DocumentAad.Snapshot(DOC, 3, 200, "dev-a").text());
  }

  @Test
  void signaturesBindTheAuthorTheContextAndTheCiphertext() {
    DeviceIdentity author = DeviceIdentity.generate("u-1", "dev-a");
    DeviceIdentity forger = DeviceIdentity.generate("u-2", "dev-b");
    DocumentAad aad = new DocumentAad.Update(DOC, 3, "dev-a", 1);
    byte[] sealed = DocumentCipher.seal(generationKey, aad, bytes("change"));
    byte[] signature = DocumentSignature.sign(author, aad, sealed);

    assertTrue(DocumentSignature.verify(author.signaturePublicKey(), aad, sealed, signature));
    // Another member re-signing the same record as itself is not the author.
    byte[] forged = DocumentSignature.sign(forger, aad, sealed);
    assertFalse(DocumentSignature.verify(author.signaturePublicKey(), aad, sealed, forged));
    assertEquals(
        DocumentCryptoException.Reason.BAD_SIGNATURE,
        refusal(() -> DocumentSignature.require(author.signaturePublicKey(), aad, sealed, forged)));
    // The signature does not carry over to another context or ciphertext.
    assertFalse(
        DocumentSignature.verify(
            author.signaturePublicKey(),
            new DocumentAad.Update(DOC, 3, "dev-a", 2),
            sealed,
            signature));
    byte[] flipped = sealed.clone();
    flipped[20] ^= 1;
    assertFalse(DocumentSignature.verify(author.signaturePublicKey(), aad, flipped, signature));
    byte[] badSignature = signature.clone();
    badSignature[0] ^= 1;
    assertFalse(DocumentSignature.verify(author.signaturePublicKey(), aad, sealed, badSignature));
    assertFalse(
        DocumentSignature.verify(
            author.signaturePublicKey(), aad, sealed, Arrays.copyOf(signature, 63)));
    // And it is not a signature some other labelled purpose would accept.
    assertFalse(
        Ed25519.verify(
            author.signaturePublicKey(),
            "liaison/v1/channel",
            DocumentSignature.digest(aad, sealed),
            signature));
  }

  @Test
  void keyringsRoundTripUnderTheirEpochOnly() {
    byte[] keyringKey = DocumentKeys.newGenerationKey();
    DocumentKeyring keyring = DocumentKeyring.empty().withNewGeneration(2).withNewGeneration(5);
    byte[] sealed = keyring.seal(keyringKey, "c-1", 5);

    DocumentKeyring opened = DocumentKeyring.open(keyringKey, "c-1", 5, sealed);
    assertEquals(List.of(2L, 5L), opened.generations().stream().map(g -> g.g()).toList());
    assertArrayEquals(keyring.newest().orElseThrow().key(), opened.newest().orElseThrow().key());
    assertArrayEquals(
        keyring.generation(2).orElseThrow().key(), opened.generation(2).orElseThrow().key());
    assertEquals(
        DocumentCryptoException.Reason.NOT_AUTHENTIC,
        refusal(() -> DocumentKeyring.open(keyringKey, "c-1", 6, sealed)));
    assertEquals(
        DocumentCryptoException.Reason.NOT_AUTHENTIC,
        refusal(() -> DocumentKeyring.open(keyringKey, "c-2", 5, sealed)));
    assertThrows(IllegalArgumentException.class, () -> keyring.withNewGeneration(5));
    assertFalse(
        keyring
            .toString()
            .contains(
                java.util.Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(keyring.newest().orElseThrow().key())));
  }

  @Test
  void keyringJsonIsReadToleratingLayoutButNotShape() {
    String key = "A".repeat(43);
    DocumentKeyring spaced =
        DocumentKeyring.decode(
            bytes(
                " { \"generations\" : [ { \"key\" : \""
                    + key
                    + "\" , \"g\" : 4 } ] , \"x\":[true,null,{}] } "));
    assertEquals(4, spaced.newest().orElseThrow().g());
    assertArrayEquals(new byte[32], spaced.newest().orElseThrow().key());

    for (String bad :
        List.of(
            "",
            "[]",
            "{\"generations\":{}}",
            "{\"generations\":[{\"g\":\"4\",\"key\":\"" + key + "\"}]}",
            "{\"generations\":[{\"g\":4.5,\"key\":\"" + key + "\"}]}",
            "{\"generations\":[{\"g\":-1,\"key\":\"" + key + "\"}]}",
            "{\"generations\":[{\"g\":4,\"key\":\"AAAA\"}]}",
            "{\"generations\":[{\"g\":4,\"key\":\""
                + key
                + "\"},{\"g\":4,\"key\":\""
                + key
                + "\"}]}",
            "{\"generations\":[],\"generations\":[]}",
            "{\"generations\":[]} x",
            "{\"generations\":[" + "[".repeat(40) + "]}")) {
      assertEquals(
          DocumentCryptoException.Reason.MALFORMED,
          refusal(() -> DocumentKeyring.decode(bytes(bad))),
          bad);
    }
  }

  @Test
  void mergingKeyringsKeepsEveryGenerationAndRefusesDisagreement() {
    DocumentKeyring a = DocumentKeyring.empty().withNewGeneration(1);
    DocumentKeyring b = a.withNewGeneration(4);
    assertEquals(2, a.merge(b).generations().size());
    DocumentKeyring other = DocumentKeyring.empty().withNewGeneration(1);
    assertNotEquals(
        Arrays.toString(a.newest().orElseThrow().key()),
        Arrays.toString(other.newest().orElseThrow().key()));
    assertEquals(DocumentCryptoException.Reason.MALFORMED, refusal(() -> a.merge(other)));
  }
}
