package org.liaison.client.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import org.liaison.client.LiaisonClient;
import org.liaison.client.channels.DeviceKeys;
import org.liaison.client.channels.LiaisonDevice;
import org.liaison.crypto.Digests;
import org.liaison.crypto.attestation.AttestationChain;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code device register|show}: this CLI as a device of the signed-in user. */
@Command(
    name = "device",
    description = {
      "This command line as one of your devices: register it once, then show its status.",
      "A coordinator of your city confirms it (`attest devices`) before it can join channels."
    },
    subcommands = {DeviceCommands.Register.class, DeviceCommands.Show.class})
final class DeviceCommands {
  @CommandLine.ParentCommand LiaisonCli cli;

  /** The device file: {@code {userId, deviceId, signatureKey, attestation?, rootKey}}. */
  static JsonObject read(LiaisonCli cli) throws IOException {
    if (!Files.exists(cli.deviceFile)) {
      throw new IllegalStateException(
          "no device registered here (" + cli.deviceFile + "); run: device register");
    }
    return new JsonObject(Files.readString(cli.deviceFile));
  }

  static void write(LiaisonCli cli, DeviceKeys keys, byte[] rootKey) throws IOException {
    JsonObject json = keys.toJson().put("rootKey", LiaisonClient.b64(rootKey));
    if (Files.exists(cli.deviceFile)) {
      // The documents' state lives in the same file (DocumentCommands): keep it.
      JsonObject documents = read(cli).getJsonObject("documents");
      if (documents != null) {
        json.put("documents", documents);
      }
    }
    LiaisonCli.writePrivate(cli.deviceFile, json.encodePrettily());
  }

  /** The root key this device trusts: the stored one; a different --root-key is an error. */
  static byte[] rootKey(LiaisonCli cli, JsonObject stored) {
    String configured = stored == null ? null : stored.getString("rootKey");
    if (configured != null && cli.rootKey != null && !configured.equals(cli.rootKey)) {
      throw new IllegalStateException(
          "--root-key differs from the root key this device was registered with");
    }
    String key = configured != null ? configured : cli.rootKey;
    if (key == null) {
      throw new IllegalStateException(
          "the network root key is needed: --root-key or LIAISON_ROOT_KEY");
    }
    return LiaisonClient.unb64(key);
  }

  /**
   * The stored device, resumed on this session (bound if it is a new login), its attestation picked
   * up from the server if a coordinator attached it since, and its key packages topped up.
   */
  static LiaisonDevice open(LiaisonCli cli, LiaisonClient client) throws Exception {
    return open(cli, client, LiaisonDevice.Options.defaults().withFollowAll(false));
  }

  static LiaisonDevice open(LiaisonCli cli, LiaisonClient client, LiaisonDevice.Options options)
      throws Exception {
    JsonObject stored = read(cli);
    byte[] root = rootKey(cli, stored);
    DeviceKeys keys = DeviceKeys.fromJson(stored);
    LiaisonDevice device = new LiaisonDevice(client, root, options);
    DeviceKeys resumed = LiaisonCli.await(device.resume(keys));
    if (resumed.chain().isPresent() && keys.chain().isEmpty()) {
      write(cli, resumed, root);
    }
    if (resumed.chain().isPresent()) {
      LiaisonCli.await(device.topUpKeyPackages());
    }
    return device;
  }

  static String fingerprint(byte[] key) {
    return HexFormat.of()
        .formatHex(Digests.sha256().digest(key), 0, 16)
        .replaceAll("(.{4})(?!$)", "$1 ");
  }

  @Command(
      name = "register",
      description = {
        "Create this CLI's device key and register it for the signed-in user.",
        "The key is stored in the device file (mode 600). It is NOT encrypted yet: anyone who can"
            + " read that file can act as this device."
      })
  static final class Register implements Callable<Integer> {
    @CommandLine.ParentCommand DeviceCommands parent;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(
        index = "0",
        defaultValue = "liaison-cli",
        description = "Device name, as your coordinator sees it (default: ${DEFAULT-VALUE})")
    String name;

    @Option(
        names = "--attestation",
        description = "An attestation chain (base64url) a coordinator made for this device's key")
    String attestation;

    @Override
    public Integer call() throws Exception {
      LiaisonCli cli = parent.cli;
      if (Files.exists(cli.deviceFile)) {
        throw new IllegalStateException("a device is already registered in " + cli.deviceFile);
      }
      byte[] root = rootKey(cli, null);
      PrintWriter out = spec.commandLine().getOut();
      try (LiaisonClient client = cli.client()) {
        LiaisonDevice device = new LiaisonDevice(client, root);
        DeviceKeys keys = LiaisonCli.await(device.registerDevice(name));
        write(cli, keys, root);
        if (attestation != null) {
          keys =
              LiaisonCli.await(
                  device.attachAttestation(
                      AttestationChain.decode(LiaisonClient.unb64(attestation))));
          write(cli, keys, root);
          LiaisonCli.await(device.topUpKeyPackages());
        }
        out.println("Registered device \"" + name + "\" [" + keys.deviceId() + "]");
        out.println("Key fingerprint: " + fingerprint(keys.signatureKey().publicKey()));
        out.println("Keys stored in " + cli.deviceFile + " (owner-only, not encrypted)");
        if (keys.chain().isEmpty()) {
          out.println(
              "Awaiting attestation: ask your city coordinator to attest this device, then run"
                  + " `device show`.");
        }
        device.close();
      }
      return 0;
    }
  }

  @Command(
      name = "show",
      description = "Show this device as the server knows it: whose it is, its status, its key.")
  static final class Show implements Callable<Integer> {
    @CommandLine.ParentCommand DeviceCommands parent;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      LiaisonCli cli = parent.cli;
      PrintWriter out = spec.commandLine().getOut();
      try (LiaisonClient client = cli.client()) {
        LiaisonDevice device = open(cli, client);
        DeviceKeys keys = device.keys().orElseThrow();
        JsonArray devices = LiaisonCli.await(client.devices());
        String status = "unknown";
        String name = "?";
        for (int i = 0; i < devices.size(); i++) {
          if (keys.deviceId().equals(devices.getJsonObject(i).getString("id"))) {
            status = devices.getJsonObject(i).getString("status");
            name = devices.getJsonObject(i).getString("name");
          }
        }
        JsonObject me = LiaisonCli.await(client.me());
        out.println(
            "Device \""
                + name
                + "\" ["
                + keys.deviceId()
                + "] of "
                + me.getString("displayName")
                + " ["
                + keys.userId()
                + "]: "
                + status);
        out.println("Key fingerprint: " + fingerprint(keys.signatureKey().publicKey()));
        out.println("Attested: " + (keys.chain().isPresent() ? "yes" : "no"));
        device.close();
      }
      return 0;
    }
  }
}
