package org.liaison.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.client.Session;
import org.liaison.server.testing.Network;
import org.liaison.server.testing.TestServer;

/**
 * The CLI as a separate JVM on the class path the built jar has (its classes and the runtime
 * dependencies copied to {@code lib/}, the test class path left out): help works and nothing but
 * the command's own words reach stderr, in particular no SLF4J "no providers" warning.
 */
class CliJarTest {
  @TempDir Path dir;

  record Run(int code, String out, String err) {}

  private Run java(String... args) throws Exception {
    String runtime = Files.readString(Path.of(System.getProperty("liaison.cli.classpath"))).strip();
    String classes = Path.of("target/classes").toAbsolutePath().toString();
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                classes + File.pathSeparator + runtime,
                LiaisonCli.class.getName()));
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(dir.resolve("out.txt").toFile())
            .redirectError(dir.resolve("err.txt").toFile())
            .start();
    assertTrue(process.waitFor(90, TimeUnit.SECONDS), "the CLI did not finish");
    return new Run(
        process.exitValue(),
        Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8),
        Files.readString(dir.resolve("err.txt"), StandardCharsets.UTF_8));
  }

  @Test
  void runtimeClassPathHasExactlyTheChosenLoggingProvider() throws Exception {
    String runtime = Files.readString(Path.of(System.getProperty("liaison.cli.classpath")));
    assertTrue(runtime.contains("slf4j-nop"), runtime);
    assertFalse(runtime.contains("logback"), runtime);
  }

  @Test
  void attestHelpFromTheJarsClassPath() throws Exception {
    Run help = java("attest", "--help");
    assertEquals(0, help.code(), help.err());
    assertTrue(help.out().startsWith("Usage: liaison attest"), help.out());
    assertEquals("", help.err());
  }

  @Test
  void aCommandThatTalksToTheServerPrintsNoLoggingWarnings() throws Exception {
    try (TestServer server = TestServer.start(dir.resolve("server"))) {
      Network network = new Network(server.api());
      Network.Member admin = network.registerAdmin(server.bootstrapCode(), "admin@net.example");
      Path session = dir.resolve("session.json");
      Files.writeString(
          session, new Session(admin.accessToken(), admin.refreshToken()).toJson().encode());
      String base = "http://127.0.0.1:" + server.server().port();

      Run me = java("me", "--server", base, "--session-file", session.toString());
      assertEquals(0, me.code(), me.err());
      assertTrue(me.out().contains("\"displayName\""), me.out());
      assertFalse(me.err().contains("SLF4J"), me.err());
      assertEquals("", me.err());

      // A refusal is one clear line, still without library noise.
      Run refused =
          java("me", "--server", base, "--session-file", dir.resolve("none.json").toString());
      assertEquals(1, refused.code());
      assertEquals("liaison: Sign in first (missing-token)", refused.err().strip());
    }
  }
}
