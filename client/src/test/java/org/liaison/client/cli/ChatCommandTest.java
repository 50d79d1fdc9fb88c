package org.liaison.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
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
import java.util.ArrayList;
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
import org.liaison.server.testing.Network;

/**
 * {@code chat} against a real server: two running CLI devices are added to a channel while they
 * run, join from the Welcome, and exchange messages as JSON lines over piped stdin/stdout.
 */
class ChatCommandTest {
  @TempDir Path dir;

  /** One {@code chat} run in-process, with its stdin a pipe and its stdout read line by line. */
  static final class Chat implements AutoCloseable {
    final String name;
    final BlockingQueue<String> stdout = new LinkedBlockingQueue<>();
    final List<JsonObject> seen = new ArrayList<>();
    final StringWriter stderr = new StringWriter();
    final PipedOutputStream stdin = new PipedOutputStream();
    final CompletableFuture<Integer> exit;

    Chat(String name, List<String> args) throws IOException {
      this.name = name;
      PipedInputStream in = new PipedInputStream(stdin, 1 << 16);
      PrintWriter out = new PrintWriter(new LineWriter(stdout));
      PrintWriter err = new PrintWriter(stderr, true);
      exit =
          CompletableFuture.supplyAsync(
              () -> LiaisonCli.run(args.toArray(String[]::new), in, out, err));
    }

    void write(String line) throws IOException {
      stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      stdin.flush();
    }

    /** The next stdout line this test expects, skipping (but keeping) others. */
    JsonObject next(String event, Predicate<JsonObject> which) throws Exception {
      long end = System.nanoTime() + AttestedNetwork.WAIT.toNanos();
      while (System.nanoTime() < end) {
        String line = stdout.poll(end - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (line == null) {
          break;
        }
        JsonObject json = new JsonObject(line); // every stdout line is one JSON object
        seen.add(json);
        if (event.equals(json.getString("event")) && which.test(json)) {
          return json;
        }
      }
      throw new AssertionError(
          name + ": no " + event + " line in " + AttestedNetwork.WAIT + "; saw " + seen + stderr);
    }

    JsonObject next(String event) throws Exception {
      return next(event, j -> true);
    }

    @Override
    public void close() throws IOException {
      stdin.close();
    }
  }

  /** Splits what is written into lines. */
  static final class LineWriter extends Writer {
    private final BlockingQueue<String> lines;
    private final StringBuilder partial = new StringBuilder();

    LineWriter(BlockingQueue<String> lines) {
      this.lines = lines;
    }

    @Override
    public synchronized void write(char[] buf, int off, int len) {
      for (int i = off; i < off + len; i++) {
        if (buf[i] == '\n') {
          lines.add(partial.toString());
          partial.setLength(0);
        } else if (buf[i] != '\r') {
          partial.append(buf[i]);
        }
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }

  /** A CLI device of this session, registered and attested; answers the CLI's common options. */
  List<String> cliDevice(
      AttestedNetwork net,
      AttestedNetwork.City city,
      String who,
      Network.Member session,
      int tier,
      String sector)
      throws Exception {
    Path sessionFile = dir.resolve(who + "/session.json");
    Path deviceFile = dir.resolve(who + "/device.json");
    Files.createDirectories(sessionFile.getParent());
    Files.writeString(
        sessionFile, new Session(session.accessToken(), session.refreshToken()).toJson().encode());
    List<String> common =
        List.of(
            "--server",
            net.base,
            "--session-file",
            sessionFile.toString(),
            "--device-file",
            deviceFile.toString());
    List<String> register =
        new ArrayList<>(
            List.of("device", "register", who, "--root-key", b64(net.root.publicKey())));
    register.addAll(common);
    CliRun registered = CliRun.of(register);
    assertEquals(0, registered.code(), registered.err());
    DeviceKeys keys = DeviceKeys.fromJson(new JsonObject(Files.readString(deviceFile)));
    Api.Response attached =
        net.server
            .api()
            .put(
                "/api/v1/devices/" + keys.deviceId() + "/attestation",
                net.admin.accessToken(),
                new JsonObject()
                    .put("attestation", b64(net.attest(city, keys, tier, sector).encode())));
    assertEquals(200, attached.status(), attached.toString());
    return common;
  }

  static String b64(byte[] bytes) {
    return LiaisonClient.b64(bytes);
  }

  static List<String> chat(List<String> common) {
    List<String> args = new ArrayList<>(List.of("chat"));
    args.addAll(common);
    return args;
  }

  @Test
  void twoRunningDevicesAreAddedLiveAndTalkInJsonLines() throws Exception {
    try (AttestedNetwork net = new AttestedNetwork(dir.resolve("server"))) {
      AttestedNetwork.City city = net.city("Chatham", "NL");
      // Alice creates the channel from her SDK device; her CLI device runs on a second login.
      AttestedNetwork.Person alice = net.person("Alice Amsel", city, "youth-work", 2);
      Network.Member aliceCli = net.network.login(alice.member().email(), alice.id());
      Network.Member bob =
          net.network.join(
              net.admin,
              AttestedNetwork.email("Bob Brink", city),
              "Bob Brink",
              city.id(),
              city.organisations().get("municipality"),
              "T2",
              "member");
      List<String> aliceArgs = cliDevice(net, city, "alice", aliceCli, 2, "youth-work");
      List<String> bobArgs = cliDevice(net, city, "bob", bob, 2, "municipality");

      try (Chat a = new Chat("alice", chat(aliceArgs));
          Chat b = new Chat("bob", chat(bobArgs))) {
        JsonObject aReady = a.next("ready");
        JsonObject bReady = b.next("ready");
        assertEquals(1, a.seen.size(), "ready is the first line: " + a.seen);
        assertEquals(alice.id(), aReady.getString("userId"));
        assertEquals(bob.id(), bReady.getString("userId"));
        String aDevice = aReady.getString("deviceId");
        String bDevice = bReady.getString("deviceId");
        assertNotNull(aDevice);

        // added while running: both join from the Welcome, live
        String channelId =
            await(
                alice
                    .device()
                    .createChannel(
                        "case",
                        new ChannelPolicy(2, new TreeSet<>(), 30, false),
                        new ChannelMeta("Chat test", "")));
        await(alice.device().addMembers(channelId, List.of(alice.id(), bob.id())));
        a.next("joined", j -> channelId.equals(j.getString("channelId")));
        b.next("joined", j -> channelId.equals(j.getString("channelId")));

        a.write(
            new JsonObject()
                .put("op", "send")
                .put("channelId", channelId)
                .put("text", "hello from alice's CLI")
                .put("clientMessageId", "alice-1")
                .encode());
        JsonObject sent = a.next("sent");
        assertEquals(channelId, sent.getString("channelId"));
        assertEquals("alice-1", sent.getString("clientMessageId"));
        JsonObject got =
            b.next("message", j -> "hello from alice's CLI".equals(j.getString("text")));
        assertEquals(channelId, got.getString("channelId"));
        assertEquals(sent.getLong("seq"), got.getLong("seq"));
        assertEquals(alice.id(), got.getString("senderUserId"));
        assertEquals(aDevice, got.getString("senderDeviceId"));
        assertNotNull(got.getString("sentAt"));
        ChannelMessage sdk = alice.nextMessage(channelId);
        assertEquals("hello from alice's CLI", sdk.text());

        // bad input is answered with an error line, and the device keeps working
        b.write("this is not json");
        assertEquals("malformed-input", b.next("error").getString("code"));
        b.write("{\"op\":\"dance\"}");
        assertEquals("unknown-op", b.next("error").getString("code"));
        b.write(new JsonObject().put("op", "send").put("channelId", "nope").encode());
        assertEquals("invalid-input", b.next("error").getString("code"));
        b.write(
            new JsonObject()
                .put("op", "send")
                .put("channelId", channelId)
                .put("text", "and back from bob")
                .encode());
        JsonObject bSent = b.next("sent");
        assertFalse(bSent.getString("clientMessageId").isEmpty());
        JsonObject back = a.next("message", j -> "and back from bob".equals(j.getString("text")));
        assertEquals(bob.id(), back.getString("senderUserId"));
        assertEquals(bDevice, back.getString("senderDeviceId"));
        assertEquals(bSent.getLong("seq"), back.getLong("seq"));

        // quit, and end of input, both leave cleanly
        a.write("{\"op\":\"quit\"}");
        assertEquals(0, a.exit.get(60, TimeUnit.SECONDS), a.stderr.toString());
        b.stdin.close();
        assertEquals(0, b.exit.get(60, TimeUnit.SECONDS), b.stderr.toString());
        for (Chat c : List.of(a, b)) {
          String rest;
          while ((rest = c.stdout.poll()) != null) {
            new JsonObject(rest); // still one JSON object per line
          }
        }
      }
    }
  }

  @Test
  void helpSaysWhatItIsForAndAMissingDeviceIsAnErrorLine() throws Exception {
    StringWriter out = new StringWriter();
    assertEquals(
        0,
        LiaisonCli.run(
            new String[] {"chat", "--help"},
            new PrintWriter(out, true),
            new PrintWriter(new StringWriter(), true)));
    assertTrue(out.toString().contains("long-running"), out.toString());
    assertTrue(out.toString().contains("JSON lines"), out.toString());

    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    StringWriter err = new StringWriter();
    int code =
        LiaisonCli.run(
            new String[] {
              "chat",
              "--server",
              "http://127.0.0.1:9",
              "--device-file",
              dir.resolve("none.json").toString(),
              "--session-file",
              dir.resolve("none-session.json").toString()
            },
            new PipedInputStream(new PipedOutputStream()),
            new PrintWriter(new LineWriter(lines)),
            new PrintWriter(err, true));
    assertEquals(1, code);
    JsonObject error = new JsonObject(lines.poll());
    assertEquals("error", error.getString("event"));
    assertEquals("no-device", error.getString("code"));
    assertTrue(lines.isEmpty(), lines.toString());
    assertFalse(err.toString().contains("\tat "), err.toString());
  }
}
