package org.liaison.client.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import org.liaison.client.LiaisonClient;
import org.liaison.crypto.Ed25519;
import org.liaison.crypto.attestation.AttestationChain;
import org.liaison.crypto.attestation.TierAttestation;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The trust chain by hand: the network admins' root key (kept offline, in a file only they hold),
 * coordinators' keys attested by the root, and devices attested by their city's coordinator. Key
 * files hold a 32-byte Ed25519 seed as base64url, owner-only; the server never sees them.
 */
@Command(
    name = "attest",
    description = {
      "Confirm who is who: create the network root, attest coordinators, confirm devices.",
      "The root holder runs init-root once and coordinator for each city coordinator; each "
          + "coordinator then runs devices to confirm their members' devices. Key files hold an "
          + "Ed25519 seed, owner-only; the server never sees them."
    },
    subcommands = {
      AttestationCommands.InitRoot.class,
      AttestationCommands.Coordinator.class,
      AttestationCommands.Devices.class
    })
final class AttestationCommands {
  @CommandLine.ParentCommand LiaisonCli cli;

  static Ed25519.KeyPair readKey(Path file) throws java.io.IOException {
    return Ed25519.KeyPair.fromPrivate(LiaisonClient.unb64(Files.readString(file).strip()));
  }

  static Ed25519.KeyPair readOrCreateKey(Path file) throws java.io.IOException {
    if (Files.exists(file)) {
      return readKey(file);
    }
    Ed25519.KeyPair key = Ed25519.KeyPair.generate();
    LiaisonCli.writePrivate(file, LiaisonClient.b64(key.privateSeed()));
    return key;
  }

  @Command(
      name = "init-root",
      description = {
        "Create the network root key in a file (keep it offline) and publish its public half.",
        "Done once, with a network admin's session. Give every client the printed public key "
            + "(--root-key / LIAISON_ROOT_KEY): clients trust only that key."
      })
  static final class InitRoot implements Callable<Integer> {
    @CommandLine.ParentCommand AttestationCommands parent;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--root-key-file",
        required = true,
        description = "Where to write the root key (must not exist yet)")
    Path rootKeyFile;

    @Override
    public Integer call() throws Exception {
      if (Files.exists(rootKeyFile)) {
        throw new IllegalStateException(rootKeyFile + " exists; a network has one root");
      }
      Ed25519.KeyPair root = readOrCreateKey(rootKeyFile);
      try (LiaisonClient client = parent.cli.client()) {
        LiaisonCli.await(client.setRootKey(root.publicKey()));
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println("Root key written to " + rootKeyFile + " (owner-only). Keep it offline.");
      out.println(
          "Root public key (give this to every client): " + LiaisonClient.b64(root.publicKey()));
      out.println("Fingerprint: " + DeviceCommands.fingerprint(root.publicKey()));
      return 0;
    }
  }

  @Command(
      name = "coordinator",
      description = {
        "Sign a coordinator's key with the root key (run by the root holder).",
        "Writes the coordinator's attestation to a file the coordinator uses with "
            + "`attest devices`; with --public-key also prints it for them to paste in the web client."
      })
  static final class Coordinator implements Callable<Integer> {
    @CommandLine.ParentCommand AttestationCommands parent;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--root-key-file",
        required = true,
        description = "The root key file `attest init-root` wrote")
    Path rootKeyFile;

    @Option(names = "--user", required = true, description = "The coordinator's user id")
    String userId;

    @Option(
        names = "--coordinator-key-file",
        description = "The coordinator's key (created if missing); or --public-key")
    Path coordinatorKeyFile;

    @Option(
        names = "--public-key",
        description =
            "The coordinator's public key (base64url) when they made it themselves, e.g. in the"
                + " web client; prints the attestation for them to paste")
    String publicKey;

    @Option(names = "--tier", required = true, description = "Highest tier they may attest: 0..3")
    int tier;

    @Option(
        names = "--sector",
        required = true,
        description = "The coordinator's sector, e.g. municipality, youth-work, police")
    String sector;

    @Option(names = "--city", defaultValue = "", description = "Their city id; empty: network-wide")
    String cityId;

    @Option(
        names = "--days",
        defaultValue = "365",
        description = "How long the attestation holds (default: ${DEFAULT-VALUE})")
    int days;

    @Option(names = "--out", required = true, description = "Where to write the attestation")
    Path out;

    @Override
    public Integer call() throws Exception {
      if ((coordinatorKeyFile == null) == (publicKey == null)) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "give exactly one of --coordinator-key-file and --public-key");
      }
      Ed25519.KeyPair root = readKey(rootKeyFile);
      byte[] subject =
          publicKey != null
              ? LiaisonClient.unb64(publicKey.strip())
              : readOrCreateKey(coordinatorKeyFile).publicKey();
      if (subject.length != 32) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--public-key is not an Ed25519 public key");
      }
      Instant now = Instant.now();
      TierAttestation attestation =
          TierAttestation.issue(
              root,
              TierAttestation.Kind.COORDINATOR,
              userId,
              subject,
              tier,
              sector,
              cityId,
              now.minus(Duration.ofMinutes(5)),
              now.plus(Duration.ofDays(days)));
      Files.writeString(out, LiaisonClient.b64(attestation.encode()));
      spec.commandLine()
          .getOut()
          .println(
              "Coordinator attestation for "
                  + coordinatorName()
                  + " (tier T"
                  + tier
                  + ", "
                  + sector
                  + ") written to "
                  + out);
      if (publicKey != null) {
        // The coordinator pastes this into the web client (Administration, "Confirm devices").
        spec.commandLine().getOut().println(LiaisonClient.b64(attestation.encode()));
      }
      return 0;
    }

    /** Whom the attestation is for, as the directory names them: with a session, else the id. */
    private String coordinatorName() {
      try (LiaisonClient client = parent.cli.client()) {
        return client.session().isPresent() ? Directory.read(client).person(userId) : userId;
      } catch (Exception e) {
        return userId;
      }
    }
  }

  @Command(
      name = "devices",
      description = {
        "Confirm members' devices: list those awaiting it and sign the ones you confirm.",
        "For each device (or all with --yes) it signs an attestation of the member's tier, "
            + "sector and city with your coordinator key. Check each person and the key fingerprint "
            + "their device shows before confirming: your signature is what every channel member's "
            + "client trusts."
      })
  static final class Devices implements Callable<Integer> {
    @CommandLine.ParentCommand AttestationCommands parent;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--coordinator-key-file",
        required = true,
        description = "Your coordinator key (the file `attest coordinator` made or used)")
    Path coordinatorKeyFile;

    @Option(
        names = "--coordinator-attestation",
        required = true,
        description = "The file with your attestation from the root holder")
    Path coordinatorAttestation;

    @Option(names = "--device", description = "Attest only this device id")
    String only;

    @Option(names = "--yes", description = "Attest every listed device without asking")
    boolean yes;

    @Option(
        names = "--days",
        defaultValue = "180",
        description = "How long each device attestation holds (default: ${DEFAULT-VALUE})")
    int days;

    @Override
    public Integer call() throws Exception {
      Ed25519.KeyPair key = readKey(coordinatorKeyFile);
      TierAttestation issuer =
          TierAttestation.decode(
              LiaisonClient.unb64(Files.readString(coordinatorAttestation).strip()));
      PrintWriter out = spec.commandLine().getOut();
      java.io.BufferedReader in =
          new java.io.BufferedReader(new java.io.InputStreamReader(System.in));
      int attested = 0;
      try (LiaisonClient client = parent.cli.client()) {
        JsonArray pending = LiaisonCli.await(client.pendingDevices());
        Directory directory = Directory.read(client);
        if (pending.isEmpty()) {
          out.println("No devices await confirmation.");
        }
        for (Object item : pending) {
          JsonObject device = (JsonObject) item;
          if (only != null && !only.equals(device.getString("id"))) {
            continue;
          }
          int tier = Integer.parseInt(device.getString("tier").substring(1));
          // The pending entry carries the owner's name; the directory adds where they work.
          String line =
              device.getString("displayName")
                  + directory.where(
                      directory.organisationOf(device.getString("userId")),
                      device.getString("cityId"))
                  + "  "
                  + device.getString("tier")
                  + "  "
                  + device.getString("sector")
                  + "  device \""
                  + device.getString("name")
                  + "\" ["
                  + device.getString("id")
                  + "]  key "
                  + DeviceCommands.fingerprint(
                      LiaisonClient.unb64(device.getString("signatureKey")));
          if (!yes) {
            out.print("Attest " + line + "? [y/N] ");
            out.flush();
            String answer = in.readLine();
            if (answer == null || !answer.trim().equalsIgnoreCase("y")) {
              continue;
            }
          }
          Instant now = Instant.now();
          AttestationChain chain =
              AttestationChain.of(
                  issuer,
                  TierAttestation.issue(
                      key,
                      TierAttestation.Kind.DEVICE,
                      device.getString("userId"),
                      LiaisonClient.unb64(device.getString("signatureKey")),
                      tier,
                      device.getString("sector"),
                      device.getString("cityId") == null ? "" : device.getString("cityId"),
                      now.minus(Duration.ofMinutes(5)),
                      now.plus(Duration.ofDays(days))));
          LiaisonCli.await(client.attachAttestation(device.getString("id"), chain.encode()));
          out.println("Attested " + line);
          attested++;
        }
      }
      out.println(attested + " device(s) attested");
      return 0;
    }
  }
}
