package org.liaison.client.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.liaison.client.channels.AttestedNetwork.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.crypto.mls.ChannelPolicy;

/** Retention leaves a gap at the front of the log: a device catching up reports it and goes on. */
class ExpiredHistoryTest {
  @Test
  void aDeviceBehindRetentionReportsTheGapAndReadsWhatIsKept(@TempDir Path dir) throws Exception {
    try (AttestedNetwork net =
        new AttestedNetwork(dir, Map.of("LIAISON_RETENTION_INTERVAL_SECONDS", "1"))) {
      AttestedNetwork.City city = net.city("Retentia", "NL");
      AttestedNetwork.Person officer = net.person("Officer Olsen", city, "law-enforcement", 2);
      AttestedNetwork.Person colleague = net.person("Officer Ode", city, "law-enforcement", 2);
      String id =
          await(
              officer
                  .device()
                  .createChannel(
                      "case",
                      new ChannelPolicy(2, new TreeSet<>(), 1, false),
                      new ChannelMeta("Short-lived case", "")));
      await(officer.device().addMembers(id, List.of(colleague.id())));
      colleague.nextEvent(ChannelEvent.Joined.class, id);
      await(colleague.device().disconnect());
      long first = await(officer.device().send(id, "soon gone 1")).seq();
      long last = await(officer.device().send(id, "soon gone 2")).seq();

      net.server.clock.advance(Duration.ofDays(2));
      // the server never deletes the newest entry: this one is the head, the others expire
      await(officer.device().send(id, "kept"));
      long end = System.nanoTime() + AttestedNetwork.WAIT.toNanos();
      while (await(officer.client().channel(id)).getLong("firstSeq") <= last) {
        assertTrue(System.nanoTime() < end, "retention did not run");
        Thread.sleep(200);
      }

      await(colleague.device().catchUp(id));
      ChannelEvent.HistoryUnavailable gap =
          colleague.nextEvent(ChannelEvent.HistoryUnavailable.class, id);
      assertEquals(ChannelEvent.HistoryUnavailable.Why.EXPIRED, gap.why());
      assertEquals(first, gap.fromSeq());
      assertTrue(gap.toSeq() >= last, gap.toString());
      assertEquals("kept", colleague.nextMessage(id).text());
      assertNull(colleague.pollMessage(id, Duration.ofMillis(500)));
    }
  }
}
