package org.liaison.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.client.Session;
import org.liaison.server.testing.Network;
import org.liaison.server.testing.TestServer;

/**
 * A network's trust chain set up with the CLI alone, as on a fresh `./liaison start`: the admin
 * creates the root, the root holder attests a coordinator, a member registers a device, and the
 * coordinator attests it.
 */
class TrustBootstrapCliTest {
  @TempDir Path dir;

  private CliRun cli(TestServer server, Network.Member who, String... args) throws Exception {
    Path session = dir.resolve(who.id() + "-session.json");
    if (!Files.exists(session)) {
      Files.writeString(
          session, new Session(who.accessToken(), who.refreshToken()).toJson().encode());
    }
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(
        List.of(
            "--server",
            "http://127.0.0.1:" + server.server().port(),
            "--session-file",
            session.toString(),
            "--device-file",
            dir.resolve(who.id() + "-device.json").toString()));
    return CliRun.of(all);
  }

  @Test
  void rootCoordinatorAndDeviceAttestationsFromTheCommandLine() throws Exception {
    try (TestServer server = TestServer.start(dir.resolve("server"))) {
      Network network = new Network(server.api());
      Network.Member admin = network.registerAdmin(server.bootstrapCode(), "admin@net.example");
      String city = network.createCity(admin, "Tetovo", "MK");
      String municipality =
          network.createOrganisation(admin, city, "Tetovo municipality", "municipality");
      String youth = network.createOrganisation(admin, city, "Tetovo youth centre", "youth-work");
      Network.Member coordinator =
          network.join(
              admin,
              "coord@tetovo.example",
              "Coordinator",
              city,
              municipality,
              "T3",
              "city-coordinator");
      Network.Member member =
          network.join(admin, "arta@tetovo.example", "Arta", city, youth, "T2", "member");

      Path rootKey = dir.resolve("root.key");
      CliRun root =
          cli(server, admin, "attest", "init-root", "--root-key-file", rootKey.toString());
      assertEquals(0, root.code(), root.err());
      assertEquals(
          "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(rootKey)));
      String publicKey =
          root.out().lines().filter(l -> l.startsWith("Root public key")).findFirst().orElseThrow();
      publicKey = publicKey.substring(publicKey.lastIndexOf(' ') + 1);
      assertEquals(
          publicKey,
          server.api().get("/api/v1/network", admin.accessToken()).json().getString("rootKey"));
      CliRun again =
          cli(server, admin, "attest", "init-root", "--root-key-file", rootKey.toString());
      assertEquals(1, again.code(), "a network has one root");

      Path coordinatorKey = dir.resolve("coordinator.key");
      Path coordinatorAttestation = dir.resolve("coordinator.att");
      CliRun coordinatorAttested =
          cli(
              server,
              admin,
              "attest",
              "coordinator",
              "--root-key-file",
              rootKey.toString(),
              "--user",
              coordinator.id(),
              "--coordinator-key-file",
              coordinatorKey.toString(),
              "--tier",
              "3",
              "--sector",
              "municipality",
              "--city",
              city,
              "--out",
              coordinatorAttestation.toString());
      assertEquals(0, coordinatorAttested.code(), coordinatorAttested.err());
      assertTrue(
          coordinatorAttested
              .out()
              .contains(
                  "Coordinator attestation for Coordinator (Tetovo municipality, Tetovo) ["
                      + coordinator.id()
                      + "] (tier T3, municipality)"),
          coordinatorAttested.out());

      CliRun registered =
          cli(server, member, "device", "register", "arta-laptop", "--root-key", publicKey);
      assertEquals(0, registered.code(), registered.err());
      assertTrue(registered.out().contains("Awaiting attestation"), registered.out());

      CliRun attested =
          cli(
              server,
              coordinator,
              "attest",
              "devices",
              "--coordinator-key-file",
              coordinatorKey.toString(),
              "--coordinator-attestation",
              coordinatorAttestation.toString(),
              "--yes");
      assertEquals(0, attested.code(), attested.err());
      String deviceId =
          new io.vertx.core.json.JsonObject(
                  Files.readString(dir.resolve(member.id() + "-device.json")))
              .getString("deviceId");
      assertTrue(
          attested
              .out()
              .contains(
                  "Attested Arta (Tetovo youth centre, Tetovo)  T2  youth-work  device"
                      + " \"arta-laptop\" ["
                      + deviceId
                      + "]  key "),
          attested.out());
      assertTrue(attested.out().contains("1 device(s) attested"), attested.out());

      CliRun shown = cli(server, member, "device", "show");
      assertEquals(0, shown.code(), shown.err());
      assertTrue(shown.out().contains("Attested: yes"), shown.out());
      assertTrue(
          shown
              .out()
              .contains(
                  "Device \"arta-laptop\" ["
                      + deviceId
                      + "] of Arta ["
                      + member.id()
                      + "]: active"),
          shown.out());

      CliRun none =
          cli(
              server,
              coordinator,
              "attest",
              "devices",
              "--coordinator-key-file",
              coordinatorKey.toString(),
              "--coordinator-attestation",
              coordinatorAttestation.toString(),
              "--yes");
      assertTrue(none.out().contains("No devices await confirmation."), none.out());
    }
  }
}
