package org.liaison.server.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.liaison.server.testing.ChannelFixture.b64;
import static org.liaison.server.testing.ChannelFixture.expect;
import static org.liaison.server.testing.ChannelFixture.policy;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.server.store.Mongo;
import org.liaison.server.testing.ChannelFixture;
import org.liaison.server.testing.ChannelFixture.Person;
import org.liaison.server.testing.RealtimeClient;
import org.liaison.server.testing.TestServer;

/** Messages with a known marker go through the whole stack; the store never holds the marker. */
class NoPlaintextTest {
  private static final String MARKER = "ZEBRA-CASE-7f3a91";

  @TempDir Path dataDir;

  @Test
  void noCollectionAndNoByteOfTheStoreFileHoldsMessageText() throws Exception {
    ChannelFixture net = new ChannelFixture(dataDir);
    Person officer = net.person("Officer", "law-enforcement", 2, 3);
    Person youthWorker = net.person("Youth Worker", "youth-work", 2, 3);
    Person teacher = net.person("Teacher", "municipality", 2, 3);
    String channel = officer.createChannel(policy(2, 90), "case");
    officer.add(channel, youthWorker, teacher);
    // Name and description are encrypted by clients; the server keeps opaque bytes.
    expect(
        200,
        net.api()
            .put(
                "/api/v1/channels/" + channel + "/meta",
                officer.token(),
                new JsonObject()
                    .put("epoch", officer.sessions.get(channel).epoch())
                    .put("ciphertext", b64(new byte[48]))));
    try (RealtimeClient socket =
        RealtimeClient.connect(net.server.server().port(), youthWorker.token())) {
      socket.next("ready");
      for (int i = 0; i < 20; i++) {
        expect(201, officer.send(channel, "m" + i, MARKER + " message " + i));
        socket.next("message");
      }
    }
    teacher.process(channel, teacher.read(channel, 0, 100).getJsonArray("items"));
    expect(201, teacher.send(channel, "t1", MARKER + " from the teacher"));
    assertTrue(
        youthWorker
            .process(channel, youthWorker.read(channel, 0, 100).getJsonArray("items"))
            .contains(MARKER + " from the teacher"),
        "the marker does travel end to end");

    List<String> collections =
        TestServer.await(Mongo.list(net.server.server().store().database().listCollectionNames()));
    assertTrue(
        collections.containsAll(List.of("channel_log", "channels", "devices", "key_packages")));
    for (String collection : collections) {
      String dump = net.server.dump(collection);
      assertFalse(dump.contains(MARKER), collection + " holds the marker");
      assertFalse(dump.contains(b64(MARKER.getBytes(StandardCharsets.UTF_8))), collection);
    }
    net.close(); // flushes the H2 file
    byte[] file = Files.readAllBytes(dataDir.resolve("liaison.mv.db"));
    assertTrue(file.length > 10_000);
    assertEquals(-1, indexOf(file, MARKER.getBytes(StandardCharsets.UTF_8)));
    assertEquals(-1, indexOf(file, MARKER.getBytes(StandardCharsets.UTF_16LE)));
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
