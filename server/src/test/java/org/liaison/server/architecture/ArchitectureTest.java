package org.liaison.server.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The dependency rules of docs/architecture.md ("Packages and what they may use"), checked on the
 * sources of all three Java modules: a rule broken anywhere fails the build, naming the file and
 * what it uses.
 */
class ArchitectureTest {
  private static final Path REPO = repositoryRoot();
  private static final Pattern USES =
      Pattern.compile("\\b(org\\.liaison\\.[a-z]+(?:\\.[a-z]+)*\\.[A-Z]\\w*|io\\.vertx\\.[\\w.]+)");

  /** A Java source file and the classes it names by their full name (imports and inline). */
  record Source(Path path, String module, String pkg, String name, List<String> uses) {
    boolean uses(Predicate<String> what) {
      return uses.stream().anyMatch(what);
    }

    String show(Predicate<String> what) {
      return module
          + "/"
          + pkg.replace('.', '/')
          + "/"
          + name
          + " uses "
          + uses.stream().filter(what).distinct().toList();
    }
  }

  @Test
  void cryptoUsesNeitherServerNorClientNorVertx() {
    assertNone(
        sources("crypto"),
        s -> true,
        u ->
            u.startsWith("org.liaison.server.")
                || u.startsWith("org.liaison.client.")
                || u.startsWith("io.vertx."));
  }

  @Test
  void clientUsesNoServerCode() {
    assertNone(sources("client"), s -> true, u -> u.startsWith("org.liaison.server."));
  }

  @Test
  void onlyTheHttpEdgeUsesHttp() {
    assertNone(
        sources("server"), s -> !isHttpEdge(s), u -> u.startsWith("org.liaison.server.http."));
  }

  @Test
  void repositoriesUseNoRoutes() {
    assertNone(sources("server"), s -> s.name().endsWith("Repository"), ArchitectureTest::isRoute);
  }

  @Test
  void realtimeUsesNoRoutes() {
    assertNone(
        sources("server"),
        s -> s.pkg().equals("org.liaison.server.realtime"),
        ArchitectureTest::isRoute);
  }

  @Test
  void theDomainUsesNoRoutes() {
    assertNone(sources("server"), s -> !isHttpEdge(s), ArchitectureTest::isRoute);
  }

  @Test
  void documentsReachTheChannelsOnlyThroughTheDeliveryService() {
    // Membership and the channel's epoch come from DeliveryService; its internals stay its own.
    assertNone(
        sources("server"),
        s -> s.pkg().equals("org.liaison.server.documents"),
        u ->
            u.startsWith("org.liaison.server.delivery.")
                && !u.startsWith("org.liaison.server.delivery.DeliveryService"));
  }

  @Test
  void realtimeUsesTheDocumentsOnlyThroughTheirService() {
    assertNone(
        sources("server"),
        s -> s.pkg().equals("org.liaison.server.realtime"),
        u ->
            u.startsWith("org.liaison.server.documents.")
                && !u.equals("org.liaison.server.documents.Documents"));
  }

  @Test
  void broadcastsNeverUseTheChannelsDelivery() {
    // Broadcasts stand beside channels: users, devices, access and events, never the MLS log.
    assertNone(
        sources("server"),
        s -> s.pkg().equals("org.liaison.server.broadcasts"),
        u ->
            u.startsWith("org.liaison.server.delivery.")
                || u.startsWith("org.liaison.server.channels.")
                || u.startsWith("org.liaison.server.documents."));
  }

  @Test
  void realtimeUsesTheBroadcastsOnlyThroughTheirService() {
    assertNone(
        sources("server"),
        s -> s.pkg().equals("org.liaison.server.realtime"),
        u ->
            u.startsWith("org.liaison.server.broadcasts.")
                && !u.startsWith("org.liaison.server.broadcasts.Broadcasts"));
  }

  @Test
  void accountsAndAuthDoNotUseEachOther() {
    List<Source> server = sources("server");
    boolean accountsUseAuth =
        server.stream()
            .filter(s -> s.pkg().equals("org.liaison.server.accounts"))
            .anyMatch(s -> s.uses(u -> u.startsWith("org.liaison.server.auth.")));
    boolean authUsesAccounts =
        server.stream()
            .filter(s -> s.pkg().equals("org.liaison.server.auth"))
            .anyMatch(s -> s.uses(u -> u.startsWith("org.liaison.server.accounts.")));
    assertTrue(!(accountsUseAuth && authUsesAccounts), "accounts and auth use each other");
  }

  @Test
  void theRulesSeeEveryModule() {
    // A moved or renamed module must not make the rules above pass by finding nothing.
    assertTrue(sources("crypto").size() > 20, "crypto sources found");
    assertTrue(sources("client").size() > 20, "client sources found");
    assertTrue(sources("server").size() > 50, "server sources found");
  }

  /** The HTTP edge: the http package, the route classes, and the composition root. */
  static boolean isHttpEdge(Source s) {
    return s.pkg().equals("org.liaison.server.http")
        || s.name().endsWith("Routes")
        || (s.pkg().equals("org.liaison.server") && s.name().equals("LiaisonServer"));
  }

  static boolean isRoute(String used) {
    return used.startsWith("org.liaison.server.") && used.endsWith("Routes");
  }

  static void assertNone(
      List<Source> sources, Predicate<Source> which, Predicate<String> forbidden) {
    List<String> broken =
        sources.stream()
            .filter(which)
            .filter(s -> s.uses(forbidden))
            .map(s -> s.show(forbidden))
            .toList();
    assertEquals(List.of(), broken, "dependency rules broken (docs/architecture.md)");
  }

  static List<Source> sources(String module) {
    Path root = REPO.resolve(module).resolve("src/main/java");
    try (Stream<Path> files = Files.walk(root)) {
      return files
          .filter(p -> p.toString().endsWith(".java"))
          .map(p -> read(module, root, p))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Source read(String module, Path root, Path file) {
    try {
      String text = withoutComments(Files.readString(file));
      Path relative = root.relativize(file);
      String pkg = relative.getParent().toString().replace('/', '.');
      String name = relative.getFileName().toString().replace(".java", "");
      Matcher m = USES.matcher(text);
      List<String> uses = m.results().map(r -> r.group(1)).toList();
      return new Source(file, module, pkg, name, uses);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Comments may name any class; only code counts. */
  private static String withoutComments(String text) {
    return text.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("(?m)//.*$", "");
  }

  private static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("crypto/src/main/java"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("run from inside the Liaison repository");
    }
    return dir;
  }
}
