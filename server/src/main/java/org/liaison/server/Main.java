package org.liaison.server;

import java.util.concurrent.TimeUnit;
import org.liaison.server.config.ConfigException;
import org.liaison.server.invitations.Invitations;

/**
 * {@code java -jar liaison-server.jar}: starts one node with settings from file and environment.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    LiaisonServer server;
    try {
      server =
          LiaisonServer.start(System.getenv())
              .toCompletionStage()
              .toCompletableFuture()
              .get(120, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof ConfigException config) {
        System.err.println("liaison: " + config.getMessage());
        System.exit(2);
      }
      System.err.println("liaison: could not start: " + describe(cause));
      System.exit(1);
      return;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    server
                        .stop()
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get(server.config().shutdownGraceSeconds() + 10L, TimeUnit.SECONDS);
                  } catch (Exception e) {
                    System.err.println("liaison: unclean stop: " + describe(e));
                  }
                },
                "liaison-shutdown"));
    printBanner(server);
  }

  /** Console output for the person who started the server; deliberately not the log. */
  private static void printBanner(LiaisonServer server) {
    System.out.println();
    System.out.println("  Liaison is running: " + server.baseUrl());
    Invitations.BootstrapState bootstrap = server.bootstrap();
    if (bootstrap instanceof Invitations.BootstrapState.Made made) {
      System.out.println();
      System.out.println("  First start: register the first network admin with this one-time link");
      System.out.println("    " + made.url());
      System.out.println("  (also saved, readable only by you, in " + made.file() + ")");
    } else if (bootstrap instanceof Invitations.BootstrapState.Waiting) {
      System.out.println(
          "  The first network admin has not registered yet: the one-time link is in "
              + server.config().dataDir().resolve(Invitations.BOOTSTRAP_FILE));
    }
    System.out.println();
  }

  private static String describe(Throwable e) {
    if (e instanceof java.net.BindException || e.getCause() instanceof java.net.BindException) {
      return "the HTTP port is in use (set LIAISON_HTTP_PORT)";
    }
    String message = e.getMessage();
    return message == null ? e.getClass().getSimpleName() : message;
  }
}
