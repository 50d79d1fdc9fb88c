package org.liaison.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.client.cli.LiaisonCli;
import org.liaison.server.testing.Network;
import org.liaison.server.testing.TestServer;

/** The SDK and CLI against a real server on 127.0.0.1. */
class LiaisonClientTest {
  @TempDir Path dataDir;
  TestServer test;
  String base;

  @BeforeEach
  void start() {
    test = TestServer.start(dataDir);
    base = "http://127.0.0.1:" + test.server().port();
  }

  @AfterEach
  void stop() {
    test.close();
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void registersLogsInAndRefreshesTransparently() throws Exception {
    try (LiaisonClient client = LiaisonClient.connect(base)) {
      await(
          client.register(
              test.bootstrapCode(), "admin@network.example", "Admin", Network.PASSWORD));
      await(client.login("admin@network.example", Network.PASSWORD));
      String firstRefresh = client.session().orElseThrow().refreshToken();
      assertEquals("network-admin", await(client.me()).getString("role"));

      test.clock.advance(Duration.ofMinutes(20));
      assertEquals("admin@network.example", await(client.me()).getString("email"));
      assertNotEquals(firstRefresh, client.session().orElseThrow().refreshToken());

      JsonObject city = await(client.createCity("Amman", "JO"));
      assertEquals("Amman", city.getString("name"));
      ExecutionException refused =
          assertThrows(ExecutionException.class, () -> await(client.createCity("Amman", "JO")));
      LiaisonException error = (LiaisonException) refused.getCause();
      assertEquals(409, error.status());
      assertEquals("city-exists", error.code());
    }
  }

  @Test
  void cliUsesTheStoredSessionAndSaysWhenThereIsNone() throws Exception {
    Network.Member admin =
        new Network(test.api()).registerAdmin(test.bootstrapCode(), "admin@network.example");
    Path sessionFile = dataDir.resolve("cli-session.json");
    String[] me = {"me", "--server", base, "--session-file", sessionFile.toString()};

    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertEquals(1, LiaisonCli.run(me, new PrintWriter(out, true), new PrintWriter(err, true)));
    assertTrue(err.toString().contains("missing-token"), err.toString());

    // A script that logged in earlier: the CLI reads the session file it left.
    Files.writeString(
        sessionFile, new Session(admin.accessToken(), admin.refreshToken()).toJson().encode());
    assertEquals(0, LiaisonCli.run(me, new PrintWriter(out, true), new PrintWriter(err, true)));
    assertTrue(out.toString().contains(admin.id()));
  }
}
