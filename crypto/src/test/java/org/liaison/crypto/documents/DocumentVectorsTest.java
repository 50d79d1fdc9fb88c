package org.liaison.crypto.documents;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.liaison.crypto.documents.DocumentVectors.unb64;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The committed vectors file is what the web client tests against: this checks every entry in it
 * with the Java implementation. Regenerate with {@code -Dliaison.writeVectors=true}.
 */
class DocumentVectorsTest {
  static JsonObject committed() throws IOException {
    return new JsonObject(Files.readString(Path.of(DocumentVectors.PATH)));
  }

  @Test
  @EnabledIfSystemProperty(named = "liaison.writeVectors", matches = "true")
  void writeVectors() throws IOException {
    Files.writeString(
        Path.of(DocumentVectors.PATH), DocumentVectors.build().encodePrettily() + "\n");
  }

  @Test
  void theCommittedVectorsAreWhatThisImplementationProduces() throws IOException {
    assertEquals(DocumentVectors.build(), committed());
  }

  @Test
  void everyCommittedRecordSealsOpensAndVerifies() throws IOException {
    JsonObject vectors = committed();
    byte[] signerKey = unb64(vectors.getJsonObject("signer").getString("publicKey"));
    for (Object entry : vectors.getJsonArray("records")) {
      JsonObject record = (JsonObject) entry;
      DocumentAad aad =
          DocumentVectors.aad(record.getString("kind"), record.getJsonObject("context"));
      byte[] rootKey = unb64(record.getString("rootKey"));
      byte[] sealed = unb64(record.getString("sealed"));
      assertEquals(record.getString("aad"), aad.text());
      assertArrayEquals(
          sealed,
          DocumentCipher.seal(
              rootKey,
              aad,
              unb64(record.getString("plaintext")),
              unb64(record.getString("nonce"))));
      assertArrayEquals(
          unb64(record.getString("plaintext")), DocumentCipher.open(rootKey, aad, sealed));
      if (record.containsKey("signature")) {
        assertTrue(
            DocumentSignature.verify(signerKey, aad, sealed, unb64(record.getString("signature"))));
      }
    }
    JsonObject keyring = vectors.getJsonObject("keyring");
    JsonObject keyringRecord = vectors.getJsonArray("records").getJsonObject(0);
    DocumentKeyring opened =
        DocumentKeyring.open(
            unb64(keyring.getString("keyringKey")),
            keyring.getString("channelId"),
            keyring.getLong("epoch"),
            unb64(keyringRecord.getString("sealed")));
    assertEquals(keyring.getString("json"), new String(opened.encode(), StandardCharsets.UTF_8));
  }

  @Test
  void everyCommittedRefusalIsRefusedForItsReason() throws IOException {
    JsonObject vectors = committed();
    byte[] signerKey = unb64(vectors.getJsonObject("signer").getString("publicKey"));
    for (Object entry : vectors.getJsonArray("refused")) {
      JsonObject refused = (JsonObject) entry;
      DocumentAad aad =
          DocumentVectors.aad(refused.getString("kind"), refused.getJsonObject("context"));
      byte[] rootKey = unb64(refused.getString("rootKey"));
      byte[] sealed = unb64(refused.getString("sealed"));
      String why = refused.getString("why");
      if (refused.getString("reason").equals("BAD_SIGNATURE")) {
        DocumentCipher.open(rootKey, aad, sealed);
        assertFalse(
            DocumentSignature.verify(signerKey, aad, sealed, unb64(refused.getString("signature"))),
            why);
      } else {
        DocumentCryptoException refusal =
            assertThrows(
                DocumentCryptoException.class,
                () -> DocumentCipher.open(rootKey, aad, sealed),
                why);
        assertEquals(refused.getString("reason"), refusal.reason().name(), why);
      }
    }
  }
}
