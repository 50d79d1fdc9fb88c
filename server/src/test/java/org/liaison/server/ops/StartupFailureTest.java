package org.liaison.server.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.BindException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.server.LiaisonServer;
import org.liaison.server.config.ConfigException;
import org.liaison.server.testing.TestServer;

/** A node that cannot start says why, promptly, and leaves nothing running. */
class StartupFailureTest {
  @TempDir Path dataDir;

  private static Throwable failure(io.vertx.core.Future<LiaisonServer> start) throws Exception {
    try {
      start.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
      throw new AssertionError("start should have failed");
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  @Test
  void aBadSettingFailsStartWithTheSettingNamed() throws Exception {
    Throwable cause =
        failure(
            LiaisonServer.start(
                Map.of("LIAISON_HTTP_PORT", "eighty", "LIAISON_DATA_DIR", dataDir.toString())));
    assertInstanceOf(ConfigException.class, cause);
    assertTrue(cause.getMessage().startsWith("Invalid setting http.port (LIAISON_HTTP_PORT)"));
  }

  @Test
  void aTakenPortFailsStartAndReleasesTheStore() throws Exception {
    try (TestServer running = TestServer.start(dataDir.resolve("a"))) {
      Map<String, String> samePort =
          Map.of(
              "LIAISON_HTTP_PORT", Integer.toString(running.server().port()),
              "LIAISON_DATA_DIR", dataDir.resolve("b").toString());
      Throwable cause = failure(LiaisonServer.start(samePort));
      assertInstanceOf(BindException.class, cause);
      // The failed node closed its embedded store, so the same data dir opens again.
      try (TestServer again = TestServer.start(dataDir.resolve("b"))) {
        assertEquals(200, again.api().get("/health", null).status());
      }
    }
  }
}
