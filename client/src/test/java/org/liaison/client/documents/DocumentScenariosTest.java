package org.liaison.client.documents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.liaison.client.channels.AttestedNetwork.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.client.LiaisonException;
import org.liaison.client.channels.AttestedNetwork;
import org.liaison.client.channels.AttestedNetwork.City;
import org.liaison.client.channels.AttestedNetwork.Person;
import org.liaison.client.channels.ChannelEvent;
import org.liaison.client.channels.ChannelMeta;
import org.liaison.crypto.Ed25519;
import org.liaison.crypto.documents.DocumentAad;
import org.liaison.crypto.documents.DocumentCipher;
import org.liaison.crypto.documents.DocumentKeyring;
import org.liaison.crypto.documents.DocumentSignature;
import org.liaison.crypto.mls.ChannelPolicy;

/**
 * Shared documents through the SDK against a real server on 127.0.0.1: real WebSockets, real bcmls
 * sessions, real Automerge, every record sealed and signed as the browser does.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DocumentScenariosTest {
  AttestedNetwork net;
  City north;
  Person officer;
  Person coordinator;
  Person civil;
  Documents officerDocs;
  Documents coordinatorDocs;
  Documents civilDocs;
  DocumentKeyStore officerStore = DocumentKeyStore.inMemory();
  DocumentKeyStore civilStore = DocumentKeyStore.inMemory();

  @BeforeAll
  void network(@TempDir Path dataDir) throws Exception {
    net = new AttestedNetwork(dataDir);
    north = net.city("Northam", "NL");
    officer = net.person("Officer Olsen", north, "law-enforcement", 2);
    civil = net.person("Cora Civil", north, "civil-society", 2);
    coordinator = net.coordinator("Mira Municipal", north);
    officerDocs = new Documents(officer.device(), officerStore);
    coordinatorDocs = new Documents(coordinator.device(), DocumentKeyStore.inMemory());
    civilDocs = new Documents(civil.device(), civilStore);
  }

  @AfterAll
  void stop() {
    for (Person p : List.of(officer, coordinator, civil)) {
      p.device().close();
    }
    net.close();
  }

  String channel(String name, Person... members) throws Exception {
    ChannelPolicy policy = new ChannelPolicy(1, new TreeSet<>(Set.of()), 30, true);
    String id = await(officer.device().createChannel("team", policy, new ChannelMeta(name, "")));
    await(officer.device().addMembers(id, List.of(members).stream().map(Person::id).toList()));
    for (Person m : members) {
      m.nextEvent(ChannelEvent.Joined.class, id);
    }
    return id;
  }

  /** Waits until the document's JSON satisfies {@code done} (a followed document's frames). */
  static JsonObject eventually(OpenDocument doc, Predicate<JsonObject> done) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < end) {
      JsonObject json = doc.json();
      if (done.test(json)) {
        return json;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("document never became " + doc.json().encode());
  }

  static String status(JsonObject plan, String row) {
    return plan.getJsonObject("activities").getJsonObject(row).getString("status");
  }

  @Test
  void aPlanIsCreatedReadEditedAndFollowedAcrossMembers() throws Exception {
    String channel = channel("Northam prevention team", coordinator);
    DocumentSummary created =
        await(officerDocs.create(channel, "Action plan 2027", "liaison/action-plan"));

    List<DocumentSummary> listed = await(coordinatorDocs.list(channel));
    assertEquals(1, listed.size());
    assertEquals("Action plan 2027", listed.get(0).displayTitle());
    assertEquals("liaison/action-plan", listed.get(0).header().orElseThrow().template());

    try (OpenDocument mine = await(officerDocs.open(channel, created.id()));
        OpenDocument theirs = await(coordinatorDocs.open(channel, created.id()))) {
      assertEquals("Action plan 2027", theirs.json().getJsonObject("meta").getString("title"));
      assertEquals("draft", theirs.json().getJsonObject("meta").getString("status"));
      assertTrue(theirs.refused().isEmpty());
      officerDocs.follow(mine);

      // The coordinator adds an activity; the officer's open document follows the frame.
      await(
          coordinatorDocs.change(
              theirs,
              edits -> {
                edits.putMap(List.of("activities", "a1"));
                edits.putScalar(List.of("activities", "a1", "rank"), "a0");
                edits.putText(List.of("activities", "a1", "title"), "Youth outreach");
                edits.putScalar(List.of("activities", "a1", "status"), "planned");
                edits.putScalar(List.of("activities", "a1", "budgetMinor"), 150000L);
              }));
      eventually(mine, json -> json.getJsonObject("activities").containsKey("a1"));

      // The officer marks it done by path; the coordinator's copy catches up over HTTP.
      long seq = await(officerDocs.set(mine, List.of("activities", "a1", "status"), "done"));
      assertTrue(seq > 0);
      await(coordinatorDocs.refresh(theirs));
      assertEquals("done", status(theirs.json(), "a1"));
      assertEquals(mine.json(), theirs.json());
      assertEquals(0L, await(officerDocs.set(mine, List.of("activities", "a1", "status"), "done")));

      DocumentEngineRefusal.expect(
          "no-such-field",
          () -> await(officerDocs.set(mine, List.of("activities", "nope", "status"), "done")));
    }
  }

  @Test
  void renamingWritesTheTitleAndTheHeaderOtherMembersList() throws Exception {
    String channel = channel("Northam rename team", coordinator);
    DocumentSummary created = await(officerDocs.create(channel, "Draft", "liaison/blank"));
    try (OpenDocument mine = await(officerDocs.open(channel, created.id()))) {
      DocumentSummary renamed = await(officerDocs.rename(mine, "Minutes – مالمو"));
      assertEquals("Minutes – مالمو", renamed.displayTitle());
      assertEquals("Minutes – مالمو", mine.json().getJsonObject("meta").getString("title"));
      List<DocumentSummary> listed = await(coordinatorDocs.list(channel));
      assertEquals("Minutes – مالمو", listed.get(0).displayTitle());
      assertEquals("liaison/blank", listed.get(0).header().orElseThrow().template());
      DocumentException blank =
          assertThrows(DocumentException.class, () -> await(officerDocs.rename(mine, " ")));
      assertEquals("title-required", blank.code());
    }
  }

  @Test
  void versionsAreSignedNamedAndReadAtTheirHeads() throws Exception {
    String channel = channel("Exchange Northam–Southby", coordinator);
    DocumentSummary created = await(officerDocs.create(channel, "Exchange notes", "liaison/blank"));
    try (OpenDocument doc = await(officerDocs.open(channel, created.id()))) {
      await(officerDocs.set(doc, List.of("body"), "Visited the youth centre."));
      DocumentVersion saved =
          await(officerDocs.saveVersion(doc, "sent to the national coordinator", "as agreed"));
      assertTrue(saved.verified());
      await(officerDocs.set(doc, List.of("body"), "Visited the youth centre and the school."));

      try (OpenDocument theirs = await(coordinatorDocs.open(channel, created.id()))) {
        List<DocumentVersion> versions = await(coordinatorDocs.versions(theirs));
        assertEquals(1, versions.size());
        DocumentVersion version = versions.get(0);
        assertTrue(version.verified());
        assertEquals("sent to the national coordinator", version.name());
        assertEquals("as agreed", version.note());
        assertEquals(officer.id(), version.authorUserId());
        assertEquals("Visited the youth centre.", theirs.json(version.heads()).getString("body"));
        assertEquals("Visited the youth centre and the school.", theirs.json().getString("body"));

        String markdown = MarkdownExport.render(theirs.json());
        assertTrue(markdown.startsWith("# Exchange notes\n"), markdown);
        assertTrue(
            markdown.contains("## Body\n\nVisited the youth centre and the school."), markdown);
      }
      assertEquals(
          "version-name-required",
          assertThrows(DocumentException.class, () -> await(officerDocs.saveVersion(doc, " ", "")))
              .code());
    }
  }

  @Test
  void anUpdateWithAForgedSignatureIsLeftOutAndReported() throws Exception {
    String channel = channel("Forgery check", coordinator);
    DocumentSummary created = await(officerDocs.create(channel, "Risk register", "liaison/blank"));
    try (OpenDocument doc = await(coordinatorDocs.open(channel, created.id()))) {
      // A member (the coordinator's device) seals a real change but signs with another key.
      DocumentKeyring keyring = officerStore.keyring(channel);
      DocumentKeyring.Generation newest = keyring.newest().orElseThrow();
      String device = coordinator.device().keys().orElseThrow().deviceId();
      byte[] change = doc.change(edits -> edits.set(List.of("body"), "forged text"));
      DocumentAad.Update aad = new DocumentAad.Update(created.id(), newest.g(), device, 1);
      byte[] sealed = DocumentCipher.seal(newest.key(), aad, change);
      byte[] forged = DocumentSignature.sign(Ed25519.KeyPair.generate(), aad, sealed);
      JsonObject posted =
          await(
              coordinator
                  .client()
                  .postDocumentUpdate(channel, created.id(), newest.g(), 1, sealed, forged));

      try (OpenDocument reader = await(officerDocs.open(channel, created.id()))) {
        assertEquals("", reader.json().getString("body"));
        assertEquals(1, reader.refused().size());
        assertEquals(posted.getLong("seq"), reader.refused().get(0).seq());
        assertEquals(device, reader.refused().get(0).authorDeviceId());
        assertTrue(reader.refused().get(0).reason().startsWith("could not be verified"));
      }
    }
  }

  @Test
  void clientSeqIsDenseAndRenumbersAfterAGapOrAStaleCounter() throws Exception {
    String channel = channel("Numbering", coordinator);
    DocumentSummary created = await(officerDocs.create(channel, "Numbers", "liaison/blank"));
    String id = created.id();
    try (OpenDocument doc = await(officerDocs.open(channel, id))) {
      // The creation was update 1 of this device. A run that stopped after taking numbers:
      officerStore.resetClientSeq(id, 4);
      await(officerDocs.set(doc, List.of("body"), "after a gap"));
      // A lost state file: the counter is behind what the server holds.
      officerStore.resetClientSeq(id, 0);
      await(officerDocs.set(doc, List.of("body"), "after a stale counter"));

      JsonArray updates =
          await(officer.client().documentUpdates(channel, id, 0, 100)).getJsonArray("updates");
      List<Long> numbers =
          updates.stream().map(u -> ((JsonObject) u).getLong("clientSeq")).toList();
      assertEquals(List.of(1L, 2L, 3L), numbers);
      assertEquals(3, officerStore.lastClientSeq(id));
      try (OpenDocument again = await(coordinatorDocs.open(channel, id))) {
        assertEquals("after a stale counter", again.json().getString("body"));
      }
    }
  }

  @Test
  void removingAMemberStartsAGenerationOnlyTheRemainingMembersHold() throws Exception {
    String channel = channel("Removal", coordinator, civil);
    DocumentSummary created = await(officerDocs.create(channel, "Shared plan", "liaison/blank"));
    try (OpenDocument civilCopy = await(civilDocs.open(channel, created.id()))) {
      assertEquals("Shared plan", civilCopy.header().title());
    }
    DocumentKeyring before = civilStore.keyring(channel);
    assertEquals(1, before.generations().size());

    long epoch = await(officer.device().removeMembers(channel, List.of(civil.id()))).epoch();
    civil.nextEvent(ChannelEvent.Removed.class, channel);

    // The committer wrote the new epoch's keyring with a new generation named by that epoch.
    DocumentKeyring after = officerStore.keyring(channel);
    assertEquals(2, after.generations().size());
    assertEquals(epoch, after.newest().orElseThrow().g());

    // The coordinator, in the new epoch, writes under the new generation ...
    try (OpenDocument doc = await(coordinatorDocs.open(channel, created.id()))) {
      await(coordinatorDocs.set(doc, List.of("body"), "after the removal"));
    }
    JsonObject last =
        await(officer.client().documentUpdates(channel, created.id(), 0, 100))
            .getJsonArray("updates")
            .stream()
            .map(JsonObject.class::cast)
            .reduce((a, b) -> b)
            .orElseThrow();
    assertEquals(epoch, last.getLong("generation"));
    // ... which the removed member holds no key for, and the server no longer serves to them.
    assertFalse(civilStore.keyring(channel).generation(epoch).isPresent());
    LiaisonException refused =
        assertThrows(LiaisonException.class, () -> await(civil.client().documents(channel)));
    assertEquals("channel-not-found", refused.code());
    // Readers still open the old generation's records (the creation) and the new one's.
    try (OpenDocument reader = await(officerDocs.open(channel, created.id()))) {
      assertEquals("after the removal", reader.json().getString("body"));
      assertTrue(reader.refused().isEmpty());
    }
  }

  @Test
  void afterTwoHundredUpdatesASnapshotIsWrittenAndReadersStartFromIt() throws Exception {
    String channel = channel("Compaction", coordinator);
    DocumentSummary created = await(officerDocs.create(channel, "Long notes", "liaison/blank"));
    try (OpenDocument doc = await(officerDocs.open(channel, created.id()))) {
      for (int i = 1; i < Documents.SNAPSHOT_EVERY; i++) {
        await(officerDocs.set(doc, List.of("body"), "draft " + i));
      }
    }
    DocumentSummary summary =
        await(coordinatorDocs.list(channel)).stream()
            .filter(d -> d.id().equals(created.id()))
            .findFirst()
            .orElseThrow();
    assertEquals(Documents.SNAPSHOT_EVERY, summary.lastSeq());
    assertEquals(Documents.SNAPSHOT_EVERY, summary.snapshotSeq());
    // The coordinator's open reads the signed snapshot (no updates after it) and verifies it.
    try (OpenDocument reader = await(coordinatorDocs.open(channel, created.id()))) {
      assertEquals("draft " + (Documents.SNAPSHOT_EVERY - 1), reader.json().getString("body"));
      assertTrue(reader.refused().isEmpty());
      assertEquals(Documents.SNAPSHOT_EVERY, reader.lastSeq());
    }
  }

  @Test
  void anUpdateUnderAGenerationNotInTheKeyringIsLeftOut() throws Exception {
    String channel = channel("Unknown generation", coordinator);
    DocumentSummary created = await(officerDocs.create(channel, "Plan", "liaison/blank"));
    DocumentKeyring.Generation newest = officerStore.keyring(channel).newest().orElseThrow();
    long unknown = newest.g() - 1;
    String device = coordinator.device().keys().orElseThrow().deviceId();
    DocumentAad.Update aad = new DocumentAad.Update(created.id(), unknown, device, 1);
    byte[] sealed =
        DocumentCipher.seal(
            org.liaison.crypto.documents.DocumentKeys.newGenerationKey(), aad, new byte[] {1});
    byte[] signature =
        org.liaison.crypto.documents.DocumentSignature.sign(
            coordinator.device().keys().orElseThrow().identity(), aad, sealed);
    await(
        coordinator
            .client()
            .postDocumentUpdate(channel, created.id(), unknown, 1, sealed, signature));
    try (OpenDocument reader = await(officerDocs.open(channel, created.id()))) {
      assertEquals(1, reader.refused().size());
      assertTrue(
          reader.refused().get(0).reason().contains("no key for generation " + unknown),
          reader.refused().get(0).reason());
    }
  }

  @Test
  void aChangeTheServerRefusesStopsTheCopyInsteadOfLosingWhatDependsOnIt() throws Exception {
    String channel = channel("Too large", coordinator);
    DocumentSummary created = await(officerDocs.create(channel, "Big", "liaison/blank"));
    try (OpenDocument doc = await(officerDocs.open(channel, created.id()))) {
      String huge = "x".repeat(300 * 1024);
      LiaisonException tooLarge =
          assertThrows(
              LiaisonException.class, () -> await(officerDocs.set(doc, List.of("body"), huge)));
      assertEquals(413, tooLarge.status());
      assertEquals(
          "document-diverged",
          assertThrows(
                  DocumentException.class,
                  () -> await(officerDocs.set(doc, List.of("body"), "small")))
              .code());
    }
    try (OpenDocument again = await(officerDocs.open(channel, created.id()))) {
      assertEquals("", again.json().getString("body"));
      await(officerDocs.set(again, List.of("body"), "small"));
      assertEquals("small", again.json().getString("body"));
    }
  }

  @Test
  void unknownIdsAreRefusedWithClearCodes() throws Exception {
    String channel = channel("Errors", coordinator);
    await(officerDocs.list(channel));
    LiaisonException missing =
        assertThrows(
            LiaisonException.class,
            () -> await(officerDocs.open(channel, "0123456789abcdef0123456789abcdef")));
    assertEquals("document-not-found", missing.code());
    assertThrows(
        IllegalArgumentException.class, () -> await(officerDocs.open(channel, "not-an-id")));
    assertEquals(
        "unknown-template",
        assertThrows(DocumentException.class, () -> await(officerDocs.create(channel, "x", "nope")))
            .code());
  }
}
