package org.liaison.client.documents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.liaison.client.channels.AttestedNetwork.await;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.client.LiaisonException;
import org.liaison.client.channels.AttestedNetwork;
import org.liaison.client.channels.ChannelEvent;
import org.liaison.client.channels.ChannelMeta;
import org.liaison.crypto.mls.ChannelPolicy;

/**
 * A copy that fell behind two snapshots: the updates it misses are gone from the server (410 {@code
 * updates-compacted}), so it merges the newest signed snapshot and reads on from there.
 */
class DocumentCompactionTest {
  @Test
  void aCopyBehindTwoSnapshotsCatchesUpFromTheNewest(@TempDir Path dir) throws Exception {
    try (AttestedNetwork net = new AttestedNetwork(dir)) {
      AttestedNetwork.City city = net.city("Compactown", "NL");
      AttestedNetwork.Person writer = net.person("Wendy Writer", city, "youth-work", 2);
      AttestedNetwork.Person reader = net.coordinator("Rita Reader", city);
      ChannelPolicy policy = new ChannelPolicy(1, new TreeSet<>(Set.of()), 30, true);
      String channel =
          await(writer.device().createChannel("team", policy, new ChannelMeta("Notes", "")));
      await(writer.device().addMembers(channel, List.of(reader.id())));
      reader.nextEvent(ChannelEvent.Joined.class, channel);

      Documents writerDocs = new Documents(writer.device(), DocumentKeyStore.inMemory(), 3);
      Documents readerDocs = new Documents(reader.device(), DocumentKeyStore.inMemory());
      DocumentSummary created = await(writerDocs.create(channel, "Minutes", "liaison/blank"));
      try (OpenDocument behind = await(readerDocs.open(channel, created.id()));
          OpenDocument doc = await(writerDocs.open(channel, created.id()))) {
        assertEquals(1, behind.lastSeq());
        for (int i = 1; i <= 7; i++) {
          await(writerDocs.set(doc, List.of("body"), "minute " + i));
        }
        // Snapshots at 3 and 6: the second one's arrival removed the updates the first covers.
        LiaisonException gone =
            org.junit.jupiter.api.Assertions.assertThrows(
                LiaisonException.class,
                () -> await(reader.client().documentUpdates(channel, created.id(), 1, 100)));
        assertEquals("updates-compacted", gone.code());

        await(readerDocs.refresh(behind));
        assertEquals("minute 7", behind.json().getString("body"));
        assertEquals(8, behind.lastSeq());
        assertTrue(behind.refused().isEmpty());
        assertEquals(doc.heads(), behind.heads());
      }
      writer.device().close();
      reader.device().close();
    }
  }
}
