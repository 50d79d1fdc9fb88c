package org.liaison.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/** Every command explains itself: `--help` works at every level and nothing is undescribed. */
class CliHelpTest {

  /** Every command path under the root, e.g. [attest], [attest, devices], [doc, list]. */
  static List<List<String>> commandPaths() {
    List<List<String>> paths = new ArrayList<>();
    collect(new CommandLine(new LiaisonCli()), new ArrayList<>(), paths);
    return paths;
  }

  private static void collect(CommandLine line, List<String> path, List<List<String>> into) {
    for (var sub : line.getSubcommands().entrySet()) {
      List<String> next = new ArrayList<>(path);
      next.add(sub.getKey());
      into.add(next);
      collect(sub.getValue(), next, into);
    }
  }

  @Test
  void everyCommandAnswersHelpWithItsUsage() {
    List<List<String>> paths = commandPaths();
    assertTrue(paths.size() > 20, "the walk found the commands: " + paths);
    for (List<String> path : paths) {
      for (String flag : List.of("--help", "-h")) {
        List<String> args = new ArrayList<>(path);
        args.add(flag);
        CliRun run = CliRun.of(args);
        assertEquals(0, run.code(), args + ": " + run.err());
        assertTrue(
            run.out().startsWith("Usage: liaison " + String.join(" ", path)), args + run.out());
        assertEquals("", run.err(), args.toString());
      }
    }
  }

  @Test
  void attestHelpListsItsSubcommandsWithWholeSentences() {
    CliRun run = CliRun.of(List.of("attest", "--help"));
    assertEquals(0, run.code(), run.err());
    for (String sub : List.of("init-root", "coordinator", "devices")) {
      assertTrue(run.out().contains("  " + sub + " "), run.out());
    }
    // The list shows each command's first description line: it must be a sentence of its own.
    CommandSpec root = new CommandLine(new LiaisonCli()).getCommandSpec();
    for (List<String> path : commandPaths()) {
      CommandSpec spec = spec(root, path);
      String[] description = spec.usageMessage().description();
      assertTrue(description.length > 0, path + " has no description");
      String first = description[0].strip();
      assertTrue(first.endsWith("."), path + ": first description line is cut: " + first);
    }
  }

  @Test
  void everyOptionAndParameterIsDescribed() {
    CommandSpec root = new CommandLine(new LiaisonCli()).getCommandSpec();
    List<String> undescribed = new ArrayList<>();
    List<List<String>> paths = new ArrayList<>(commandPaths());
    paths.add(List.of());
    for (List<String> path : paths) {
      CommandSpec spec = spec(root, path);
      List<ArgSpec> args = new ArrayList<>(spec.options());
      args.addAll(spec.positionalParameters());
      for (ArgSpec arg : args) {
        String text = String.join(" ", arg.description()).strip();
        if (text.isEmpty()) {
          undescribed.add(path + " " + arg.paramLabel() + " " + arg);
        }
      }
    }
    assertTrue(undescribed.isEmpty(), "undescribed: " + undescribed);
  }

  @Test
  void anUnknownOptionIsAUsageErrorNamingIt() {
    CliRun run =
        CliRun.of(
            List.of(
                "attest",
                "devices",
                "--coordinator-key-file",
                "k",
                "--coordinator-attestation",
                "a",
                "--frobnicate"));
    assertEquals(2, run.code());
    assertTrue(run.err().contains("Unknown option: '--frobnicate'"), run.err());
    assertFalse(run.err().contains("Exception"), run.err());
  }

  private static CommandSpec spec(CommandSpec root, List<String> path) {
    CommandSpec spec = root;
    for (String name : path) {
      spec = spec.subcommands().get(name).getCommandSpec();
    }
    return spec;
  }
}
