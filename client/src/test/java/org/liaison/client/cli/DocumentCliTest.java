package org.liaison.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.liaison.client.channels.AttestedNetwork.await;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.client.LiaisonClient;
import org.liaison.client.Session;
import org.liaison.client.channels.AttestedNetwork;
import org.liaison.client.channels.ChannelEvent;
import org.liaison.client.channels.DeviceKeys;
import org.liaison.client.documents.DocumentKeyStore;
import org.liaison.client.documents.DocumentSummary;
import org.liaison.client.documents.Documents;
import org.liaison.client.documents.OpenDocument;
import org.liaison.server.testing.Api;

/** The {@code doc} commands against a real server, beside an SDK member of the channel. */
class DocumentCliTest {
  @TempDir Path dir;
  List<String> common;

  CliRun cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(common);
    return CliRun.of(all);
  }

  CliRun ok(String... args) {
    CliRun run = cli(args);
    assertEquals(0, run.code(), String.join(" ", args) + ": " + run.err());
    return run;
  }

  @Test
  void aCoordinatorWorksOnAPlanFromTheCommandLine() throws Exception {
    try (AttestedNetwork net = new AttestedNetwork(dir.resolve("server"))) {
      AttestedNetwork.City city = net.city("Doctown", "NL");
      AttestedNetwork.Person officer = net.person("Officer Olsen", city, "law-enforcement", 2);
      Path sessionFile = dir.resolve("cli/session.json");
      Path deviceFile = dir.resolve("cli/device.json");
      Files.createDirectories(sessionFile.getParent());
      Files.writeString(
          sessionFile,
          new Session(city.coordinator().accessToken(), city.coordinator().refreshToken())
              .toJson()
              .encode());
      common =
          List.of(
              "--server",
              net.base,
              "--session-file",
              sessionFile.toString(),
              "--device-file",
              deviceFile.toString());
      ok("device", "register", "laptop", "--root-key", LiaisonClient.b64(net.root.publicKey()));
      DeviceKeys keys = DeviceKeys.fromJson(new JsonObject(Files.readString(deviceFile)));
      Api.Response attached =
          net.server
              .api()
              .put(
                  "/api/v1/devices/" + keys.deviceId() + "/attestation",
                  net.admin.accessToken(),
                  new JsonObject()
                      .put(
                          "attestation",
                          LiaisonClient.b64(net.attest(city, keys, 3, "municipality").encode())));
      assertEquals(200, attached.status(), attached.toString());
      String channel =
          ok(
                  "create-channel",
                  "--kind",
                  "team",
                  "--min-tier",
                  "T1",
                  "--history-on-join",
                  "--name",
                  "Doctown prevention team",
                  "--add",
                  AttestedNetwork.email("Officer Olsen", city))
              .out()
              .trim();
      officer.nextEvent(ChannelEvent.Joined.class, channel);
      Documents officerDocs = new Documents(officer.device(), DocumentKeyStore.inMemory());

      String none = ok("doc", "list", channel).out();
      assertTrue(none.startsWith("No documents in "), none);
      String id =
          ok("doc", "create", channel, "--title", "Action plan 2027", "--template", "action-plan")
              .out()
              .trim();
      assertTrue(id.matches("[0-9a-f]{32}"), id);
      // The device file now keeps the channel's generations and this device's numbering.
      JsonObject documents =
          new JsonObject(Files.readString(deviceFile)).getJsonObject("documents");
      assertEquals(1L, documents.getJsonObject("clientSeq").getLong(id));
      assertTrue(documents.getJsonObject("keyrings").containsKey(channel));

      await(officerDocs.list(channel)); // the live member now holds the channel's generations
      String listed = ok("doc", "list", channel).out();
      assertTrue(listed.contains(id + "  Action plan 2027  liaison/action-plan"), listed);

      // By title, a new run (a new epoch, a new keyring written from the stored generations).
      CliRun set = ok("doc", "set", channel, "Action plan 2027", "meta/status", "consultation");
      assertTrue(set.out().contains("Saved meta/status in Action plan 2027"), set.out());
      ok("doc", "set", channel, id, "context/summary", "Rising online recruitment.");
      assertEquals(
          2L + 1,
          new JsonObject(Files.readString(deviceFile))
              .getJsonObject("documents")
              .getJsonObject("clientSeq")
              .getLong(id));

      JsonObject shown = new JsonObject(ok("doc", "show", channel, id).out());
      assertEquals("consultation", shown.getJsonObject("meta").getString("status"));
      assertEquals(
          "Rising online recruitment.", shown.getJsonObject("context").getString("summary"));

      ok("doc", "version", channel, id, "sent to the national coordinator", "--note", "v1");
      ok("doc", "set", channel, id, "meta/status", "adopted");
      String versions = ok("doc", "versions", channel, id).out();
      assertTrue(
          versions.contains("\"sent to the national coordinator\"  by Coordinator Doctown"),
          versions);
      JsonObject old =
          new JsonObject(
              ok("doc", "show", channel, id, "--version", "sent to the national coordinator")
                  .out());
      assertEquals("consultation", old.getJsonObject("meta").getString("status"));

      Path exported = dir.resolve("plan.md");
      ok("doc", "export", channel, id, "--out", exported.toString());
      String markdown = Files.readString(exported);
      assertTrue(markdown.startsWith("# Action plan 2027\n"), markdown);
      assertTrue(markdown.contains("- **Status:** adopted"), markdown);
      assertTrue(markdown.contains("Rising online recruitment."), markdown);

      // Bad input: a field that does not exist, a document that does not exist.
      CliRun badField = cli("doc", "set", channel, id, "meta/nope", "x");
      assertEquals(1, badField.code());
      assertTrue(badField.err().contains("no field meta/nope"), badField.err());
      CliRun badDoc = cli("doc", "show", channel, "No such plan");
      assertEquals(1, badDoc.code());
      assertTrue(badDoc.err().contains("no document No such plan"), badDoc.err());

      // The SDK member reads what the command line wrote, every update verified.
      List<DocumentSummary> seen = await(officerDocs.list(channel));
      assertEquals("Action plan 2027", seen.get(0).displayTitle());
      try (OpenDocument doc = await(officerDocs.open(channel, id))) {
        assertTrue(doc.refused().isEmpty(), doc.refused().toString());
        assertEquals("adopted", doc.json().getJsonObject("meta").getString("status"));
      }

      // A run that lost the device file's document keys: its rejoin makes a new epoch, the live
      // member who holds the generations writes that epoch's keyring, and the run reads it.
      JsonObject device = new JsonObject(Files.readString(deviceFile));
      device.remove("documents");
      Files.writeString(deviceFile, device.encodePrettily());
      JsonObject again = new JsonObject(ok("doc", "show", channel, id).out());
      assertEquals("adopted", again.getJsonObject("meta").getString("status"));

      // Renaming: the title inside the document and the encrypted one the list shows.
      CliRun renamed = ok("doc", "rename", channel, id, "Action plan 2027 (adopted)");
      assertTrue(
          renamed.out().contains("Renamed Action plan 2027 to Action plan 2027 (adopted)"),
          renamed.out());
      String relisted = ok("doc", "list", channel).out();
      assertTrue(
          relisted.contains(id + "  Action plan 2027 (adopted)  liaison/action-plan"), relisted);
      CliRun blank = cli("doc", "rename", channel, id, " ");
      assertEquals(1, blank.code());
      assertTrue(blank.err().contains("a title is required"), blank.err());
      officer.device().close();
    }
  }

  @Test
  void everyDocCommandHasHelp() {
    common = List.of();
    String help = ok("doc", "--help").out();
    for (String command :
        List.of("list", "create", "show", "set", "rename", "versions", "version", "export")) {
      assertTrue(help.contains(command), help);
      String text = ok("doc", command, "--help").out();
      assertTrue(text.contains("Usage: liaison doc " + command), text);
    }
    assertTrue(ok("doc", "set", "--help").out().contains("activities/<id>/status"));
  }
}
