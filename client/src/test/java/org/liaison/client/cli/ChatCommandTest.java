package org.liaison.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.liaison.client.channels.AttestedNetwork.await;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.client.LiaisonClient;
import org.liaison.client.Session;
import org.liaison.client.channels.AttestedNetwork;
import org.liaison.client.channels.ChannelMessage;
import org.liaison.client.channels.ChannelMeta;
import org.liaison.client.channels.DeviceKeys;
import org.liaison.crypto.mls.ChannelPolicy;
import org.liaison.server.testing.Api;

/**
 * {@code liaison chat}: a CLI device that stays connected, is added while it runs, and exchanges
 * messages as JSON lines with an SDK device, through a real server and real bcmls.
 */
class ChatCommandTest {
  @TempDir Path dir;

  /** stdout split into lines as they are written. */
  static final class Lines extends Writer {
    final BlockingQueue<JsonObject> events = new LinkedBlockingQueue<>();
    private final StringBuilder pending = new StringBuilder();

    @Override
    public synchronized void write(char[] buffer, int offset, int length) {
      pending.append(buffer, offset, length);
      for (int end = pending.indexOf("\n"); end >= 0; end = pending.indexOf("\n")) {
        String line = pending.substring(0, end).trim();
        pending.delete(0, end + 1);
        if (!line.isEmpty()) {
          events.add(new JsonObject(line));
        }
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}

    JsonObject next(Predicate<JsonObject> match) throws InterruptedException {
      long end = System.nanoTime() + AttestedNetwork.WAIT.toNanos();
      while (System.nanoTime() < end) {
        JsonObject event = events.poll(100, TimeUnit.MILLISECONDS);
        if (event != null && match.test(event)) {
          return event;
        }
      }
      throw new AssertionError("no such line from chat");
    }
  }

  @Test
  void joinsWhileRunningAndExchangesJsonLines() throws Exception {
    try (AttestedNetwork net = new AttestedNetwork(dir.resolve("server"))) {
      AttestedNetwork.City city = net.city("Chatville", "BE");
      AttestedNetwork.Person worker = net.person("Youth Worker Yara", city, "youth-work", 2);
      Path sessionFile = dir.resolve("cli/session.json");
      Path deviceFile = dir.resolve("cli/device.json");
      Files.createDirectories(sessionFile.getParent());
      Files.writeString(
          sessionFile,
          new Session(city.coordinator().accessToken(), city.coordinator().refreshToken())
              .toJson()
              .encode());
      List<String> common =
          List.of(
              "--server",
              net.base,
              "--session-file",
              sessionFile.toString(),
              "--device-file",
              deviceFile.toString());
      StringWriter registerErr = new StringWriter();
      int registered =
          LiaisonCli.run(
              concat(
                  List.of(
                      "device",
                      "register",
                      "bot",
                      "--root-key",
                      LiaisonClient.b64(net.root.publicKey())),
                  common),
              new PrintWriter(new StringWriter(), true),
              new PrintWriter(registerErr, true));
      assertEquals(0, registered, registerErr.toString());
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

      PipedOutputStream stdin = new PipedOutputStream();
      PipedInputStream in = new PipedInputStream(stdin);
      Lines out = new Lines();
      StringWriter err = new StringWriter();
      CompletableFuture<Integer> chat =
          CompletableFuture.supplyAsync(
              () ->
                  LiaisonCli.run(
                      concat(List.of("chat"), common),
                      in,
                      new PrintWriter(out, true),
                      new PrintWriter(err, true)));
      JsonObject ready = out.next(e -> "ready".equals(e.getString("event")));
      assertEquals(keys.deviceId(), ready.getString("deviceId"));

      // Added while it runs: it joins from its Welcome.
      ChannelPolicy policy = new ChannelPolicy(2, new TreeSet<>(), 30, false);
      String channelId =
          await(worker.device().createChannel("team", policy, new ChannelMeta("Bots", "")));
      await(worker.device().addMembers(channelId, List.of(city.coordinator().id())));
      out.next(
          e -> "joined".equals(e.getString("event")) && channelId.equals(e.getString("channelId")));

      await(worker.device().send(channelId, "to the chat"));
      JsonObject received = out.next(e -> "message".equals(e.getString("event")));
      assertEquals("to the chat", received.getString("text"));
      assertEquals(worker.id(), received.getString("senderUserId"));
      assertEquals(channelId, received.getString("channelId"));

      // Bad lines get an error line and the device keeps working.
      write(stdin, "this is not json");
      assertEquals(
          "malformed-line", out.next(e -> "error".equals(e.getString("event"))).getString("code"));
      write(stdin, new JsonObject().put("op", "dance").encode());
      assertEquals(
          "unknown-op", out.next(e -> "error".equals(e.getString("event"))).getString("code"));
      write(stdin, new JsonObject().put("op", "send").put("channelId", channelId).encode());
      assertEquals(
          "validation-failed",
          out.next(e -> "error".equals(e.getString("event"))).getString("code"));
      write(
          stdin,
          new JsonObject()
              .put("op", "send")
              .put("channelId", "00000000000000000000000000000000")
              .put("text", "nowhere")
              .encode());
      assertNotNull(out.next(e -> "error".equals(e.getString("event"))).getString("code"));

      write(
          stdin,
          new JsonObject()
              .put("op", "send")
              .put("channelId", channelId)
              .put("text", "from the chat")
              .encode());
      JsonObject sent = out.next(e -> "sent".equals(e.getString("event")));
      ChannelMessage got = worker.nextMessage(channelId);
      assertEquals("from the chat", got.text());
      assertEquals(keys.deviceId(), got.senderDeviceId());
      assertEquals(got.seq(), sent.getLong("seq"));

      write(stdin, new JsonObject().put("op", "quit").encode());
      assertEquals(0, chat.get(60, TimeUnit.SECONDS), err.toString());
    }
  }

  private static void write(PipedOutputStream stdin, String line) throws IOException {
    stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    stdin.flush();
  }

  private static String[] concat(List<String> first, List<String> second) {
    return java.util.stream.Stream.concat(first.stream(), second.stream()).toArray(String[]::new);
  }
}
