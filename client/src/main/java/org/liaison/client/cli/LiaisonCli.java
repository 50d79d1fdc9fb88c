package org.liaison.client.cli;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.liaison.client.LiaisonClient;
import org.liaison.client.LiaisonException;
import org.liaison.client.Session;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./liaison cli ...}: a coordinator's command line. The session is kept in {@code
 * ~/.config/liaison/session.json} (owner-only) so commands can follow a login.
 */
@Command(
    name = "liaison",
    versionProvider = LiaisonCli.Version.class,
    description = {
      "Liaison's command line: sign in, register this CLI as one of your devices, confirm",
      "members' devices as a coordinator, and work in channels and their shared documents. "
          + "Every command takes -h/--help."
    },
    subcommands = {
      LiaisonCli.Login.class,
      LiaisonCli.Me.class,
      LiaisonCli.Logout.class,
      LiaisonCli.Invite.class,
      DeviceCommands.class,
      AttestationCommands.class,
      ChannelCommands.ListChannels.class,
      ChannelCommands.CreateChannel.class,
      ChannelCommands.Add.class,
      ChannelCommands.Send.class,
      ChannelCommands.Tail.class,
      ChatCommand.class,
      DocumentCommands.class
    })
public final class LiaisonCli {

  // Inherited by every subcommand, so `attest --help` works as `attest devices --help` does.
  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.",
      scope = CommandLine.ScopeType.INHERIT)
  boolean help;

  // Not inherited: `doc show --version NAME` means a document version.
  @Option(
      names = {"-V", "--version"},
      versionHelp = true,
      description = "Print the version and exit.")
  boolean version;

  /** The version the jar was built as (its manifest), or "development" from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String built = LiaisonCli.class.getPackage().getImplementationVersion();
      return new String[] {"liaison " + (built == null ? "development" : built)};
    }
  }

  @Option(
      names = "--server",
      defaultValue = "${env:LIAISON_URL:-http://localhost:8080}",
      description = "Server address (default: ${DEFAULT-VALUE}, or LIAISON_URL)",
      scope = CommandLine.ScopeType.INHERIT)
  String server;

  @Option(
      names = "--session-file",
      defaultValue = "${env:LIAISON_SESSION_FILE:-${sys:user.home}/.config/liaison/session.json}",
      description = "Where the session is kept",
      scope = CommandLine.ScopeType.INHERIT)
  Path sessionFile;

  @Option(
      names = "--device-file",
      defaultValue = "${env:LIAISON_DEVICE_FILE:-${sys:user.home}/.config/liaison/device.json}",
      description =
          "Where this CLI's device keys (and its document keys) are kept (owner-only; not"
              + " encrypted yet: guard it like a password)",
      scope = CommandLine.ScopeType.INHERIT)
  Path deviceFile;

  @Option(
      names = "--root-key",
      defaultValue = "${env:LIAISON_ROOT_KEY}",
      description =
          "The network root's public key (base64url), as your network's admins published it;"
              + " stored with the device at registration, or LIAISON_ROOT_KEY",
      scope = CommandLine.ScopeType.INHERIT)
  String rootKey;

  /** What {@code chat} reads its commands from (stdin unless a caller gives another stream). */
  InputStream in = System.in;

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs one command; returns the exit code (0 ok, 1 refused by the server, 2 usage). */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    return run(args, System.in, out, err);
  }

  /** As {@link #run(String[], PrintWriter, PrintWriter)}, with {@code in} as standard input. */
  public static int run(String[] args, InputStream in, PrintWriter out, PrintWriter err) {
    LiaisonCli root = new LiaisonCli();
    root.in = in;
    CommandLine cli = new CommandLine(root);
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(
        (e, line, parsed) -> {
          Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
          if (cause instanceof LiaisonException refused) {
            err.println("liaison: " + refused.getMessage() + " (" + refused.code() + ")");
            return 1;
          }
          err.println("liaison: " + cause.getMessage());
          return 1;
        });
    return cli.execute(args);
  }

  LiaisonClient client() throws IOException {
    LiaisonClient client = LiaisonClient.connect(server).onSessionChange(this::save);
    if (Files.exists(sessionFile)) {
      client.withSession(Session.fromJson(new JsonObject(Files.readString(sessionFile))));
    }
    return client;
  }

  private void save(Session session) {
    try {
      if (session == null) {
        Files.deleteIfExists(sessionFile);
        return;
      }
      writePrivate(sessionFile, session.toJson().encode());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Writes a file only its owner can read (created with mode 600, never widened). */
  static void writePrivate(Path file, String content) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    if (!Files.exists(file)) {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    Files.writeString(file, content);
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Command(
      name = "login",
      description = "Sign in; the password is read from the terminal or LIAISON_PASSWORD.")
  static final class Login implements Callable<Integer> {
    @CommandLine.ParentCommand LiaisonCli parent;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", description = "E-mail address")
    String email;

    @Override
    public Integer call() throws Exception {
      String password = System.getenv("LIAISON_PASSWORD");
      if (password == null) {
        Console console = System.console();
        if (console == null) {
          throw new IllegalStateException(
              "no terminal to read the password from; set LIAISON_PASSWORD");
        }
        password = new String(console.readPassword("Password: "));
      }
      try (LiaisonClient client = parent.client()) {
        await(client.login(email, password));
        JsonObject me = await(client.me());
        spec.commandLine()
            .getOut()
            .println(
                "Signed in as "
                    + me.getString("displayName")
                    + " ("
                    + me.getString("tier")
                    + ", "
                    + me.getString("role")
                    + ")");
      }
      return 0;
    }
  }

  @Command(name = "me", description = "Show the signed-in user as the server knows them (JSON).")
  static final class Me implements Callable<Integer> {
    @CommandLine.ParentCommand LiaisonCli parent;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      try (LiaisonClient client = parent.client()) {
        spec.commandLine().getOut().println(await(client.me()).encodePrettily());
      }
      return 0;
    }
  }

  @Command(
      name = "logout",
      description = "End the session on the server and delete the local session file.")
  static final class Logout implements Callable<Integer> {
    @CommandLine.ParentCommand LiaisonCli parent;

    @Override
    public Integer call() throws Exception {
      try (LiaisonClient client = parent.client()) {
        await(client.logout());
      }
      return 0;
    }
  }

  @Command(
      name = "invite",
      description = {
        "Invite someone (coordinators and admins); prints the one-time link to give them.",
        "City and organisation by name (any case; a unique beginning is enough) or by id.",
        "Where the server sends e-mail, the link is also e-mailed unless --no-email."
      })
  static final class Invite implements Callable<Integer> {
    @CommandLine.ParentCommand LiaisonCli parent;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", description = "E-mail address")
    String email;

    @Option(
        names = "--city",
        required = true,
        description = "The city they join: its name (e.g. Tirana, or Tir) or id")
    String city;

    @Option(
        names = "--organisation",
        required = true,
        description = "Their organisation in that city: its name or id")
    String organisation;

    @Option(names = "--tier", required = true, description = "Their tier: T0..T3")
    String tier;

    @Option(
        names = "--role",
        defaultValue = "member",
        description = "member, city-coordinator or network-admin (default: ${DEFAULT-VALUE})")
    String role;

    @Option(names = "--no-email", description = "Do not e-mail the link, only print it")
    boolean noEmail;

    @Option(
        names = "--language",
        description = "Language of the e-mail: en, ar, fr, sq, bs, mk or sr (default: English)")
    String language;

    @Override
    public Integer call() throws Exception {
      try (LiaisonClient client = parent.client()) {
        Named cityFound = Named.pick("city", city, await(client.cities()), c -> true);
        Named organisationFound =
            Named.pick(
                "organisation",
                organisation,
                await(client.organisations()),
                o -> cityFound.id().equals(o.getString("cityId")));
        JsonObject options = new JsonObject();
        if (noEmail) {
          options.put("sendEmail", false);
        }
        if (language != null) {
          options.put("language", language);
        }
        JsonObject invitation =
            await(
                client.invite(email, cityFound.id(), organisationFound.id(), tier, role, options));
        PrintWriter out = spec.commandLine().getOut();
        out.println(
            "Invitation for "
                + email
                + ": "
                + organisationFound.name()
                + " ["
                + organisationFound.id()
                + "], "
                + cityFound.name()
                + " ["
                + cityFound.id()
                + "], "
                + tier
                + " "
                + role
                + ", until "
                + invitation.getString("expiresAt"));
        if (invitation.getJsonObject("delivery") != null) {
          out.println("It is being e-mailed to " + email + "; the link, should it not arrive:");
        }
        out.println(invitation.getString("url"));
      }
      return 0;
    }
  }
}
