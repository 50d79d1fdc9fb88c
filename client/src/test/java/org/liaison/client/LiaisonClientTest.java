package org.liaison.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.client.cli.LiaisonCli;
import org.liaison.server.LiaisonServer;
import org.liaison.server.config.LiaisonConfig;

/** The SDK and CLI against a real server on 127.0.0.1. */
class LiaisonClientTest {
  private static final String PASSWORD = "a long enough passphrase";
  @TempDir Path dataDir;
  LiaisonServer server;
  final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());

  @BeforeEach
  void start() throws Exception {
    Clock clock =
        new Clock() {
          @Override
          public Instant instant() {
            return now.get();
          }

          @Override
          public ZoneId getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(ZoneId zone) {
            return this;
          }
        };
    server =
        await(
            LiaisonServer.start(
                LiaisonConfig.withOverrides(
                    Map.of(
                        "LIAISON_HTTP_PORT", "0",
                        "LIAISON_DATA_DIR", dataDir.toString(),
                        "LIAISON_ARGON2_MEMORY_KIB", "256",
                        "LIAISON_ARGON2_ITERATIONS", "1")),
                clock));
  }

  @AfterEach
  void stop() throws Exception {
    await(server.stop());
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private String bootstrapCode() throws Exception {
    return Files.readAllLines(dataDir.resolve("bootstrap-invite.txt")).stream()
        .filter(l -> l.startsWith("code: "))
        .map(l -> l.substring(6))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void registersLogsInAndRefreshesTransparently() throws Exception {
    try (LiaisonClient client = LiaisonClient.connect("http://127.0.0.1:" + server.port())) {
      await(client.register(bootstrapCode(), "admin@network.example", "Admin", PASSWORD));
      await(client.login("admin@network.example", PASSWORD));
      String firstRefresh = client.session().orElseThrow().refreshToken();
      assertEquals("network-admin", await(client.me()).getString("role"));

      now.updateAndGet(i -> i.plus(Duration.ofMinutes(20)));
      assertEquals("admin@network.example", await(client.me()).getString("email"));
      assertNotEquals(firstRefresh, client.session().orElseThrow().refreshToken());

      JsonObject city = await(client.createCity("Amman", "JO"));
      assertEquals("Amman", city.getString("name"));
      ExecutionException refused =
          org.junit.jupiter.api.Assertions.assertThrows(
              ExecutionException.class, () -> await(client.createCity("Amman", "JO")));
      LiaisonException error = (LiaisonException) refused.getCause();
      assertEquals(409, error.status());
      assertEquals("city-exists", error.code());
    }
  }

  @Test
  void cliSignsInShowsTheUserAndInvites() throws Exception {
    String base = "http://127.0.0.1:" + server.port();
    String adminId;
    try (LiaisonClient client = LiaisonClient.connect(base)) {
      adminId =
          await(client.register(bootstrapCode(), "admin@network.example", "Admin", PASSWORD))
              .getString("id");
    }
    Path sessionFile = dataDir.resolve("cli-session.json");
    String[] common = {"--server", base, "--session-file", sessionFile.toString()};

    // No terminal in tests: the password comes from the environment, as in a script.
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int notSignedIn =
        LiaisonCli.run(
            concat(new String[] {"me"}, common),
            new PrintWriter(out, true),
            new PrintWriter(err, true));
    assertEquals(1, notSignedIn);
    assertTrue(err.toString().contains("missing-token"), err.toString());

    try (LiaisonClient client = LiaisonClient.connect(base)) {
      await(client.login("admin@network.example", PASSWORD));
      Files.writeString(sessionFile, client.session().orElseThrow().toJson().encode());
    }
    out = new StringWriter();
    assertEquals(
        0,
        LiaisonCli.run(
            concat(new String[] {"me"}, common),
            new PrintWriter(out, true),
            new PrintWriter(err, true)));
    assertTrue(out.toString().contains(adminId));
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = new String[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
