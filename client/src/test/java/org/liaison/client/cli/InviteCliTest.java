package org.liaison.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.client.Session;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.Network;
import org.liaison.server.testing.TestServer;

/** {@code invite} takes cities and organisations by name, and prints names beside ids. */
class InviteCliTest {
  @TempDir Path dir;

  @Test
  void invitesByNameOrUniquePrefixAndRefusesAnAmbiguousName() throws Exception {
    try (TestServer test = TestServer.start(dir.resolve("server"))) {
      Api api = test.api();
      Network network = new Network(api);
      Network.Member admin = network.registerAdmin(test.bootstrapCode(), "admin@network.example");
      String tirana = network.createCity(admin, "Tirana", "AL");
      String tetovo = network.createCity(admin, "Tetovo", "MK");
      String police = network.createOrganisation(admin, tirana, "Tirana Police", "law-enforcement");
      network.createOrganisation(admin, tirana, "Tirana Youth Centre", "youth-work");
      String tetovoYouth = network.createOrganisation(admin, tetovo, "Youth Centre", "youth-work");
      Path session = dir.resolve("session.json");
      Files.writeString(
          session, new Session(admin.accessToken(), admin.refreshToken()).toJson().encode());
      List<String> common =
          List.of(
              "--server",
              "http://127.0.0.1:" + test.server().port(),
              "--session-file",
              session.toString());

      CliRun byName =
          run(
              common,
              "invite",
              "besa@tirana.example",
              "--city",
              "tirana",
              "--organisation",
              "TIRANA POLICE",
              "--tier",
              "T1");
      assertEquals(0, byName.code(), byName.err());
      assertTrue(
          byName.out().contains("Tirana Police [" + police + "], Tirana [" + tirana + "]"),
          byName.out());
      String url = byName.out().lines().reduce((a, b) -> b).orElseThrow();
      assertTrue(url.contains("/invite/"), byName.out());
      String code = url.substring(url.lastIndexOf('/') + 1);
      assertEquals(
          200,
          api.post("/api/v1/invitations/preview", null, new JsonObject().put("code", code))
              .status());

      // A unique beginning is enough; the organisation is looked for in that city only.
      CliRun prefix =
          run(
              common,
              "invite",
              "goce@tetovo.example",
              "--city",
              "Tet",
              "--organisation",
              "youth",
              "--tier",
              "T0");
      assertEquals(0, prefix.code(), prefix.err());
      assertTrue(prefix.out().contains("Youth Centre [" + tetovoYouth + "]"), prefix.out());

      // By id, as before.
      CliRun byId =
          run(
              common,
              "invite",
              "arta@tirana.example",
              "--city",
              tirana,
              "--organisation",
              police,
              "--tier",
              "T0",
              "--no-email");
      assertEquals(0, byId.code(), byId.err());

      CliRun ambiguous =
          run(
              common,
              "invite",
              "x@tirana.example",
              "--city",
              "T",
              "--organisation",
              "x",
              "--tier",
              "T0");
      assertEquals(1, ambiguous.code(), ambiguous.out());
      assertTrue(ambiguous.err().contains("could be more than one city"), ambiguous.err());
      assertTrue(ambiguous.err().contains("Tirana [" + tirana + "]"), ambiguous.err());
      assertTrue(ambiguous.err().contains("Tetovo [" + tetovo + "]"), ambiguous.err());

      CliRun unknown =
          run(
              common,
              "invite",
              "x@tirana.example",
              "--city",
              "Tirana",
              "--organisation",
              "Municipality",
              "--tier",
              "T0");
      assertEquals(1, unknown.code(), unknown.out());
      assertTrue(unknown.err().contains("no organisation named 'Municipality'"), unknown.err());
      assertTrue(unknown.err().contains("Tirana Youth Centre"), unknown.err());
    }
  }

  private static CliRun run(List<String> common, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(common);
    return CliRun.of(all);
  }
}
