package org.liaison.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.liaison.client.channels.AttestedNetwork.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.client.LiaisonClient;
import org.liaison.client.Session;
import org.liaison.client.channels.AttestedNetwork;
import org.liaison.client.channels.ChannelEvent;
import org.liaison.client.channels.ChannelMessage;
import org.liaison.client.channels.DeviceKeys;
import org.liaison.server.testing.Api;

/** The channel commands of {@code ./liaison cli} against a real server, beside an SDK device. */
class ChannelCliTest {
  @TempDir Path dir;
  List<String> common;

  CliRun cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(common);
    return CliRun.of(all);
  }

  @Test
  void coordinatorRegistersCreatesAddsSendsAndTails() throws Exception {
    try (AttestedNetwork net = new AttestedNetwork(dir.resolve("server"))) {
      AttestedNetwork.City city = net.city("Clitown", "NL");
      AttestedNetwork.Person officer = net.person("Officer Olsen", city, "law-enforcement", 2);
      Path sessionFile = dir.resolve("cli/session.json");
      Path deviceFile = dir.resolve("cli/device.json");
      Files.createDirectories(sessionFile.getParent());
      Files.writeString(
          sessionFile,
          new Session(city.coordinator().accessToken(), city.coordinator().refreshToken())
              .toJson()
              .encode());
      common =
          List.of(
              "--server",
              net.base,
              "--session-file",
              sessionFile.toString(),
              "--device-file",
              deviceFile.toString());

      CliRun registered =
          cli(
              "device",
              "register",
              "laptop",
              "--root-key",
              LiaisonClient.b64(net.root.publicKey()));
      assertEquals(0, registered.code(), registered.err());
      assertTrue(registered.out().contains("Awaiting attestation"), registered.out());
      assertEquals(
          "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(deviceFile)));

      // The device is attested from outside the CLI (here the admin attaches the chain the
      // coordinator's key signed); the next run picks it up from the server.
      DeviceKeys keys = DeviceKeys.fromJson(new JsonObject(Files.readString(deviceFile)));
      Api.Response attached =
          net.server
              .api()
              .put(
                  "/api/v1/devices/" + keys.deviceId() + "/attestation",
                  net.admin.accessToken(),
                  new JsonObject()
                      .put(
                          "attestation",
                          LiaisonClient.b64(net.attest(city, keys, 3, "municipality").encode())));
      assertEquals(200, attached.status(), attached.toString());
      CliRun shown = cli("device", "show");
      assertEquals(0, shown.code(), shown.err());
      assertTrue(shown.out().contains("Attested: yes"), shown.out());
      assertTrue(shown.out().contains(": active"), shown.out());

      CliRun created =
          cli(
              "create-channel",
              "--kind",
              "case",
              "--min-tier",
              "T2",
              "--name",
              "Case from the command line",
              "--add",
              AttestedNetwork.email("Officer Olsen", city));
      assertEquals(0, created.code(), created.err());
      String channelId = created.out().trim();
      assertTrue(channelId.matches("[0-9a-f]{32}"), created.out());
      officer.nextEvent(ChannelEvent.Joined.class, channelId);

      CliRun sent = cli("send", channelId, "hello", "from", "the", "command", "line");
      assertEquals(0, sent.code(), sent.err());
      ChannelMessage got = officer.nextMessage(channelId);
      assertEquals("hello from the command line", got.text());
      assertEquals(city.coordinator().id(), got.senderUserId());
      assertEquals(keys.deviceId(), got.senderDeviceId());

      CompletableFuture<CliRun> tail =
          CompletableFuture.supplyAsync(() -> cli("tail", channelId, "--limit", "1"));
      // once the tail has rejoined (its external commit is in the log), the officer writes
      awaitCommitAfter(officer, channelId, got.seq());
      await(officer.device().send(channelId, "to the tail"));
      CliRun tailed = tail.get(60, TimeUnit.SECONDS);
      assertEquals(0, tailed.code(), tailed.err());
      assertTrue(tailed.out().contains("to the tail"), tailed.out());
      assertTrue(tailed.out().contains("Officer Olsen [" + officer.id() + "/"), tailed.out());
      assertTrue(tailed.out().contains("verified"), tailed.out());

      CliRun listed = cli("channels");
      assertEquals(0, listed.code(), listed.err());
      assertTrue(listed.out().contains(channelId), listed.out());
      assertTrue(listed.out().contains("T2"), listed.out());
      // Members by name, as the directory shows them.
      assertTrue(listed.out().contains("Officer Olsen"), listed.out());

      AttestedNetwork.Person analyst = net.person("Analyst Amra", city, "law-enforcement", 2);
      CliRun added = cli("add", channelId, AttestedNetwork.email("Analyst Amra", city));
      assertEquals(0, added.code(), added.err());
      assertTrue(
          added.out().startsWith("Added Analyst Amra (") && added.out().contains(analyst.id()),
          added.out());
      assertTrue(added.out().contains("[" + channelId + "]"), added.out());
    }
  }

  static void awaitCommitAfter(AttestedNetwork.Person reader, String channelId, long seq)
      throws Exception {
    long end = System.nanoTime() + AttestedNetwork.WAIT.toNanos();
    while (System.nanoTime() < end) {
      JsonArray items = await(reader.client().messages(channelId, seq, 100)).getJsonArray("items");
      for (int i = 0; i < items.size(); i++) {
        if ("commit".equals(items.getJsonObject(i).getString("kind"))) {
          Thread.sleep(300); // the tail acts on its rejoin once the server accepted it
          return;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the tail did not rejoin");
  }
}
