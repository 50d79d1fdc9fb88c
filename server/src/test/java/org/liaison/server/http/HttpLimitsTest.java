package org.liaison.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.server.testing.ChannelFixture;
import org.liaison.server.testing.ChannelFixture.Person;
import org.liaison.server.testing.RealtimeClient;

/**
 * The HTTP edge does not hold connections for clients that do not finish: idle keep-alive
 * connections, request heads trickled byte by byte and slow bodies are closed after the configured
 * time (1 s here); oversized heads are refused. Upgraded realtime sockets are not HTTP connections
 * any more and stay open however quiet they are.
 */
class HttpLimitsTest {
  /** Generous against a loaded machine; without the limits the connection stays open for good. */
  private static final Duration WITHIN = Duration.ofSeconds(6);

  @TempDir static Path dataDir;
  static ChannelFixture net;
  static int port;

  @BeforeAll
  static void start() {
    net =
        new ChannelFixture(
            dataDir,
            Map.of(
                "LIAISON_HTTP_IDLE_TIMEOUT_SECONDS", "1",
                "LIAISON_HTTP_REQUEST_BODY_TIMEOUT_SECONDS", "1",
                "LIAISON_HTTP_MAX_HEADER_BYTES", "2048"));
    port = net.server.server().port();
  }

  @AfterAll
  static void stop() {
    net.close();
  }

  @Test
  void aConnectionThatSendsNothingIsClosed() throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      Outcome outcome = watch(socket, null);
      assertTrue(outcome.closed(), "still open after " + WITHIN);
    }
  }

  @Test
  void aKeepAliveConnectionIsClosedOnceIdle() throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      write(socket, "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n");
      Outcome outcome = watch(socket, null);
      assertTrue(outcome.received().startsWith("HTTP/1.1 200"), outcome.received());
      assertTrue(outcome.closed(), "still open after " + WITHIN);
    }
  }

  @Test
  void aRequestHeadTrickledByteByByteIsClosed() throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      write(socket, "GET /health HTTP/1.1\r\nHost: localhost\r\n");
      // One header byte every 200 ms: never idle, never complete.
      Outcome outcome = watch(socket, "X");
      assertTrue(outcome.closed(), "still open after " + WITHIN);
      assertEquals("", outcome.received(), "nothing was answered: the head never completed");
    }
  }

  @Test
  void aSlowBodyIsAnswered408AndClosed() throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      write(
          socket,
          "POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\n"
              + "Content-Type: application/json\r\nContent-Length: 4000\r\n\r\n{\"email\":\"");
      Outcome outcome = watch(socket, "a");
      assertTrue(outcome.closed(), "still open after " + WITHIN);
      assertTrue(outcome.received().startsWith("HTTP/1.1 408"), outcome.received());
      assertTrue(outcome.received().contains("request-timeout"), outcome.received());
    }
  }

  @Test
  void anOversizedHeadIsRefused() throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      write(
          socket,
          "GET /health HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "a".repeat(3000) + "\r\n\r\n");
      Outcome outcome = watch(socket, null);
      assertTrue(outcome.received().startsWith("HTTP/1.1 431"), outcome.received());
    }
  }

  @Test
  void aQuietRealtimeSocketStaysOpen() throws InterruptedException {
    Person person = net.person("Quiet", "youth-work", 1, 0);
    try (RealtimeClient socket = RealtimeClient.connect(port, person.token())) {
      socket.next("ready");
      Thread.sleep(3000); // three idle timeouts
      assertFalse(socket.isClosed(), "the realtime socket was closed while quiet");
      socket.send(new JsonObject().put("type", "ping"));
      socket.next("pong");
    }
  }

  private record Outcome(boolean closed, String received) {}

  /**
   * Reads until the server closes the connection or {@link #WITHIN} passes; between reads writes
   * one {@code trickle} byte every 200 ms when given.
   */
  private static Outcome watch(Socket socket, String trickle) throws IOException {
    socket.setSoTimeout(200);
    InputStream in = socket.getInputStream();
    OutputStream out = socket.getOutputStream();
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    long end = System.nanoTime() + WITHIN.toNanos();
    byte[] buffer = new byte[4096];
    while (System.nanoTime() < end) {
      try {
        int n = in.read(buffer);
        if (n < 0) {
          return new Outcome(true, received.toString(StandardCharsets.UTF_8));
        }
        received.write(buffer, 0, n);
      } catch (SocketTimeoutException quiet) {
        if (trickle != null) {
          try {
            out.write(trickle.getBytes(StandardCharsets.US_ASCII));
            out.flush();
          } catch (IOException closed) {
            return new Outcome(true, received.toString(StandardCharsets.UTF_8));
          }
        }
      } catch (IOException reset) {
        return new Outcome(true, received.toString(StandardCharsets.UTF_8));
      }
    }
    return new Outcome(false, received.toString(StandardCharsets.UTF_8));
  }

  private static void write(Socket socket, String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
  }
}
