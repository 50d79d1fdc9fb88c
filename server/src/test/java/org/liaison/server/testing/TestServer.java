package org.liaison.server.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.liaison.server.LiaisonServer;
import org.liaison.server.config.LiaisonConfig;

/**
 * A real server on 127.0.0.1 with a random port and its own embedded store in a temporary data dir.
 * Argon2id runs with a small cost so tests stay quick; the cost is a setting like any other.
 */
public final class TestServer implements AutoCloseable {
  public final Path dataDir;
  public final MutableClock clock = new MutableClock();
  private final Map<String, String> env;
  private LiaisonServer server;

  private TestServer(Path dataDir, Map<String, String> overrides) {
    this.dataDir = dataDir;
    this.env = new HashMap<>();
    env.put("LIAISON_HTTP_PORT", "0");
    env.put("LIAISON_DATA_DIR", dataDir.toString());
    env.put("LIAISON_WEB_ROOT", dataDir.resolve("no-web-client").toString());
    env.put("LIAISON_ARGON2_MEMORY_KIB", "256");
    env.put("LIAISON_ARGON2_ITERATIONS", "1");
    env.put("LIAISON_SHUTDOWN_GRACE_SECONDS", "5");
    env.putAll(overrides);
  }

  public static TestServer start(Path dataDir) {
    return start(dataDir, Map.of());
  }

  public static TestServer start(Path dataDir, Map<String, String> overrides) {
    TestServer test = new TestServer(dataDir, overrides);
    test.boot();
    return test;
  }

  private void boot() {
    server = await(LiaisonServer.start(LiaisonConfig.withOverrides(env), clock));
  }

  /** Stops cleanly and starts again on the same data dir. */
  public void restart() {
    await(server.stop());
    boot();
  }

  /** Stops cleanly, leaving the data dir to another process until {@link #startAgain}. */
  public void stop() {
    close();
  }

  /** Starts again on the same data dir after {@link #stop}. */
  public void startAgain() {
    boot();
  }

  /** The settings this server runs with, for a copy of it in a child process. */
  public Map<String, String> settings() {
    return Map.copyOf(env);
  }

  public LiaisonServer server() {
    return server;
  }

  public Api api() {
    return new Api(server.port());
  }

  /** The code from the bootstrap file, as the operator would copy it. */
  public String bootstrapCode() {
    try {
      return Files.readAllLines(dataDir.resolve("bootstrap-invite.txt")).stream()
          .filter(l -> l.startsWith("code: "))
          .map(l -> l.substring(6).trim())
          .findFirst()
          .orElseThrow();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Every document of a collection, as text: for asserting what the store does not hold. */
  public String dump(String collection) {
    return await(org.liaison.server.store.Mongo.list(server.store().collection(collection).find()))
        .toString();
  }

  public static <T> T await(io.vertx.core.Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    if (server != null) {
      LiaisonServer stopping = server;
      server = null;
      await(stopping.stop());
    }
  }
}
