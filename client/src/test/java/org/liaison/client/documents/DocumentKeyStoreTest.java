package org.liaison.client.documents;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.liaison.crypto.documents.DocumentKeyring;

class DocumentKeyStoreTest {
  static final String CHANNEL = "0123456789abcdef0123456789abcdef";
  static final String DOC = "fedcba9876543210fedcba9876543210";

  @Test
  void everythingKeptSurvivesARestartThroughItsJson() {
    List<JsonObject> saved = new ArrayList<>();
    DocumentKeyStore store = DocumentKeyStore.fromJson(null, saved::add);
    DocumentKeyring ring = DocumentKeyring.empty().withNewGeneration(3).withNewGeneration(7);
    store.remember(CHANNEL, ring);
    store.rememberLeaves(CHANNEL, Map.of("device-a", new byte[] {1, 2, 3}));
    assertEquals(1, store.nextClientSeq(DOC));
    assertEquals(2, store.nextClientSeq(DOC));

    DocumentKeyStore restarted = DocumentKeyStore.fromJson(saved.get(saved.size() - 1), j -> {});
    assertEquals(2, restarted.lastClientSeq(DOC));
    assertEquals(3, restarted.nextClientSeq(DOC));
    assertArrayEquals(
        ring.generation(7).orElseThrow().key(),
        restarted.keyring(CHANNEL).generation(7).orElseThrow().key());
    assertArrayEquals(new byte[] {1, 2, 3}, restarted.leafKeys(CHANNEL, "device-a").get(0));
  }

  @Test
  void aNumberIsSavedBeforeItIsHandedOut() {
    List<JsonObject> saved = new ArrayList<>();
    DocumentKeyStore store = DocumentKeyStore.fromJson(null, saved::add);
    long n = store.nextClientSeq(DOC);
    assertEquals(n, saved.get(saved.size() - 1).getJsonObject("clientSeq").getLong(DOC));
    store.advanceClientSeq(DOC, 1);
    assertEquals(1, store.lastClientSeq(DOC));
    store.advanceClientSeq(DOC, 5);
    assertEquals(5, store.lastClientSeq(DOC));
    store.advanceClientSeq(DOC, 2); // never backwards from what the log showed
    assertEquals(5, store.lastClientSeq(DOC));
    store.resetClientSeq(DOC, 2); // unless the server says so
    assertEquals(2, store.lastClientSeq(DOC));
  }

  @Test
  void rememberingMergesGenerationsAndSavesOnlyWhenSomethingIsNew() {
    List<JsonObject> saved = new ArrayList<>();
    DocumentKeyStore store = DocumentKeyStore.fromJson(null, saved::add);
    DocumentKeyring first = DocumentKeyring.empty().withNewGeneration(3);
    store.remember(CHANNEL, first);
    int saves = saved.size();
    store.remember(CHANNEL, first);
    assertEquals(saves, saved.size());
    DocumentKeyring merged = store.remember(CHANNEL, first.withNewGeneration(9));
    assertEquals(2, merged.generations().size());
    assertTrue(saved.size() > saves);
  }
}
