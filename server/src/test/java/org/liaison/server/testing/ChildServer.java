package org.liaison.server.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.liaison.server.Main;

/**
 * The server as {@code java -jar} would run it, in a child process on this test's classpath and
 * settings, so a test can kill it with SIGKILL (no shutdown hook, no final flush).
 */
public record ChildServer(Process process, int port) {
  public static ChildServer start(Map<String, String> settings) throws IOException {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    builder.environment().putAll(settings);
    builder.environment().put("LIAISON_HTTP_PORT", Integer.toString(port));
    return new ChildServer(builder.start(), port);
  }

  public Api waitForHealth() throws InterruptedException {
    Api api = new Api(port);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      assertTrue(process.isAlive(), "the child server exited");
      try {
        if (api.get("/health", null).status() == 200) {
          return api;
        }
      } catch (RuntimeException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the child server did not become healthy");
  }
}
