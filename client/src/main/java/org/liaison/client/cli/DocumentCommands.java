package org.liaison.client.cli;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.liaison.client.LiaisonClient;
import org.liaison.client.channels.LiaisonDevice;
import org.liaison.client.documents.DocumentKeyStore;
import org.liaison.client.documents.DocumentSummary;
import org.liaison.client.documents.DocumentVersion;
import org.liaison.client.documents.Documents;
import org.liaison.client.documents.MarkdownExport;
import org.liaison.client.documents.OpenDocument;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code doc list|create|show|set|versions|version|export}: a channel's shared documents, thin over
 * {@link Documents}. The document keys this device learns and its per-document update numbers are
 * kept in the device file (its {@code documents} member), so a later run continues them.
 */
@Command(
    name = "doc",
    description = {
      "Shared documents of a channel, end-to-end encrypted and co-edited live in the browser.",
      "Each takes the channel id first (see `channels`), then a document id or exact title. "
          + "Every command rejoins the channel first (this run holds no MLS state from an earlier one), "
          + "reads the channel's document keys for the new epoch, and verifies every update against its "
          + "author's device key; updates that do not verify are left out and reported."
    },
    subcommands = {
      DocumentCommands.ListDocuments.class,
      DocumentCommands.Create.class,
      DocumentCommands.Show.class,
      DocumentCommands.Set.class,
      DocumentCommands.Rename.class,
      DocumentCommands.Versions.class,
      DocumentCommands.SaveVersion.class,
      DocumentCommands.Export.class
    })
final class DocumentCommands {
  @CommandLine.ParentCommand LiaisonCli cli;

  /** The documents' state from the device file, saved back into it on every change. */
  static DocumentKeyStore store(LiaisonCli cli) throws IOException {
    JsonObject stored = DeviceCommands.read(cli).getJsonObject("documents");
    return DocumentKeyStore.fromJson(
        stored,
        json -> {
          try {
            JsonObject device = DeviceCommands.read(cli).put("documents", json);
            LiaisonCli.writePrivate(cli.deviceFile, device.encodePrettily());
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  /** Base: the stored device, its documents, and the channel named by the first parameter. */
  abstract static class InChannel implements Callable<Integer> {
    @CommandLine.ParentCommand DocumentCommands parent;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CHANNEL", description = "Channel id (see `channels`)")
    String channelId;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    PrintWriter err() {
      return spec.commandLine().getErr();
    }

    /** As the other channel commands: follows only this channel (each rejoin is a commit). */
    @Override
    public Integer call() throws Exception {
      LiaisonCli cli = parent.cli;
      try (LiaisonClient client = cli.client()) {
        LiaisonDevice device =
            DeviceCommands.open(cli, client, LiaisonDevice.Options.defaults().withFollowAll(false));
        try {
          return run(client, device, new Documents(device, store(cli)));
        } finally {
          device.close();
        }
      }
    }

    abstract int run(LiaisonClient client, LiaisonDevice device, Documents documents)
        throws Exception;

    /** A document by id or by its exact title (case-insensitive), as `doc list` shows it. */
    String resolve(Documents documents, String idOrTitle) throws Exception {
      List<DocumentSummary> all = LiaisonCli.await(documents.list(channelId));
      for (DocumentSummary d : all) {
        if (d.id().equals(idOrTitle)) {
          return d.id();
        }
      }
      List<DocumentSummary> titled =
          all.stream().filter(d -> d.displayTitle().equalsIgnoreCase(idOrTitle)).toList();
      if (titled.size() == 1) {
        return titled.get(0).id();
      }
      throw new IllegalStateException(
          titled.isEmpty()
              ? "no document " + idOrTitle + " in this channel (see `doc list`)"
              : titled.size() + " documents are titled " + idOrTitle + ": use the id");
    }

    void reportRefused(OpenDocument doc) {
      for (OpenDocument.Refused r : doc.refused()) {
        err()
            .println(
                "(update #"
                    + r.seq()
                    + " from device "
                    + r.authorDeviceId()
                    + " could not be verified and is left out: "
                    + r.reason()
                    + ")");
      }
    }
  }

  /** Base for commands on one document (second parameter). */
  abstract static class OnDocument extends InChannel {
    @Parameters(
        index = "1",
        paramLabel = "DOCUMENT",
        description = "Document id or exact title (see `doc list`)")
    String document;

    @Override
    int run(LiaisonClient client, LiaisonDevice device, Documents documents) throws Exception {
      try (OpenDocument doc =
          LiaisonCli.await(documents.open(channelId, resolve(documents, document)))) {
        reportRefused(doc);
        return run(client, documents, doc);
      }
    }

    abstract int run(LiaisonClient client, Documents documents, OpenDocument doc) throws Exception;

    /** The heads of a version named by id or by name (the newest of that name). */
    static DocumentVersion version(Documents documents, OpenDocument doc, String which)
        throws Exception {
      List<DocumentVersion> versions = LiaisonCli.await(documents.versions(doc));
      for (int i = versions.size() - 1; i >= 0; i--) {
        DocumentVersion v = versions.get(i);
        if (v.verified() && (v.id().equals(which) || v.name().equals(which))) {
          return v;
        }
      }
      throw new IllegalStateException("no verified version " + which + " (see `doc versions`)");
    }
  }

  @Command(
      name = "list",
      description = {
        "The channel's documents by id, title, template, last change and number of updates.",
        "Titles are encrypted; a document whose title this device cannot read shows as untitled."
      })
  static final class ListDocuments extends InChannel {
    @Override
    int run(LiaisonClient client, LiaisonDevice device, Documents documents) throws Exception {
      List<DocumentSummary> all = LiaisonCli.await(documents.list(channelId));
      // After this run's rejoin the name is readable only once a member sealed it again.
      String channel =
          LiaisonCli.await(device.channel(channelId))
              .meta()
              .map(meta -> meta.name())
              .filter(name -> !name.isEmpty())
              .orElse(channelId);
      if (all.isEmpty()) {
        out().println("No documents in " + channel + ".");
      } else {
        out().println("Documents in " + channel + " [" + channelId + "]:");
      }
      for (DocumentSummary d : all) {
        out()
            .println(
                d.id()
                    + "  "
                    + d.displayTitle()
                    + "  "
                    + d.header().map(h -> h.template()).orElse("?")
                    + "  updated "
                    + d.updatedAt()
                    + "  "
                    + d.lastSeq()
                    + (d.lastSeq() == 1 ? " update" : " updates"));
      }
      return 0;
    }
  }

  @Command(name = "create", description = "Create a document from a template; prints its id.")
  static final class Create extends InChannel {
    @Option(names = "--title", required = true, description = "Its title (encrypted)")
    String title;

    @Option(
        names = "--template",
        defaultValue = "blank",
        description =
            "action-plan, city-exchange, small-grant, event-record or blank (default:"
                + " ${DEFAULT-VALUE})")
    String template;

    @Override
    int run(LiaisonClient client, LiaisonDevice device, Documents documents) throws Exception {
      String schema = template.startsWith("liaison/") ? template : "liaison/" + template;
      DocumentSummary created = LiaisonCli.await(documents.create(channelId, title, schema));
      out().println(created.id());
      return 0;
    }
  }

  @Command(
      name = "show",
      description = {
        "Print the document as JSON (text and identifiers as strings, numbers, booleans).",
        "Rows (risks, activities, ...) are maps keyed by their id, ordered by their rank."
      })
  static final class Show extends OnDocument {
    @Option(
        names = "--version",
        paramLabel = "NAME|ID",
        description = "Show the document as it was at this named version")
    String version;

    @Override
    int run(LiaisonClient client, Documents documents, OpenDocument doc) throws Exception {
      JsonObject json =
          version == null ? doc.json() : doc.json(version(documents, doc, version).heads());
      out().println(json.encodePrettily());
      return 0;
    }
  }

  @Command(
      name = "set",
      description = {
        "Change one field and send the change to the channel, signed by this device.",
        "PATH is the field's keys joined with '/', e.g. meta/title or activities/<id>/status. "
            + "Text fields are edited in place (only what differs), so others' concurrent edits to the "
            + "same text survive; identifiers, dates and choices are replaced; numbers are integers "
            + "(money in minor units); booleans are true or false. The field must exist."
      })
  static final class Set extends OnDocument {
    @Parameters(index = "2", paramLabel = "PATH", description = "e.g. activities/<id>/status")
    String path;

    @Parameters(index = "3", paramLabel = "VALUE", description = "The new value")
    String value;

    @Override
    int run(LiaisonClient client, Documents documents, OpenDocument doc) throws Exception {
      List<String> keys = Arrays.asList(path.split("/"));
      long seq = LiaisonCli.await(documents.set(doc, keys, value));
      out()
          .println(
              seq == 0
                  ? "Unchanged: " + path + " already has that value"
                  : "Saved " + path + " in " + doc.header().title() + " (update #" + seq + ")");
      return 0;
    }
  }

  @Command(
      name = "rename",
      description =
          "Give the document a new title (its meta/title and the encrypted title members' lists"
              + " show).")
  static final class Rename extends OnDocument {
    @Parameters(index = "2", paramLabel = "TITLE", description = "The new title (encrypted)")
    String title;

    @Override
    int run(LiaisonClient client, Documents documents, OpenDocument doc) throws Exception {
      DocumentSummary renamed = LiaisonCli.await(documents.rename(doc, title));
      out().println("Renamed " + doc.header().title() + " to " + renamed.displayTitle());
      return 0;
    }
  }

  @Command(name = "versions", description = "List the document's named versions, oldest first.")
  static final class Versions extends OnDocument {
    @Override
    int run(LiaisonClient client, Documents documents, OpenDocument doc) throws Exception {
      List<DocumentVersion> versions = LiaisonCli.await(documents.versions(doc));
      Directory names = Directory.read(client);
      if (versions.isEmpty()) {
        out().println("No versions of " + doc.header().title() + ".");
      }
      for (DocumentVersion v : versions) {
        String author = names.name(v.authorUserId());
        out()
            .println(
                v.verified()
                    ? v.id()
                        + "  \""
                        + v.name()
                        + "\"  by "
                        + author
                        + "  "
                        + v.createdAt()
                        + (v.note().isEmpty() ? "" : "  — " + v.note())
                    : v.id() + "  (could not be verified)  by " + author + "  " + v.createdAt());
      }
      return 0;
    }
  }

  @Command(
      name = "version",
      description = {
        "Save the document as it is now as a named version, signed by this device.",
        "E.g. \"sent to the national coordinator\". History is kept; nothing is rewritten."
      })
  static final class SaveVersion extends OnDocument {
    @Parameters(index = "2", paramLabel = "NAME", description = "The version's name")
    String name;

    @Option(names = "--note", defaultValue = "", description = "A note kept with the version")
    String note;

    @Override
    int run(LiaisonClient client, Documents documents, OpenDocument doc) throws Exception {
      DocumentVersion saved = LiaisonCli.await(documents.saveVersion(doc, name, note));
      out()
          .println(
              "Saved version \""
                  + saved.name()
                  + "\" of "
                  + doc.header().title()
                  + " ("
                  + saved.id()
                  + ")");
      return 0;
    }
  }

  @Command(
      name = "export",
      description = {
        "Write the document as Markdown, made here (the server never sees the text).",
        "To standard output, or to a file with --out."
      })
  static final class Export extends OnDocument {
    @Option(names = "--version", paramLabel = "NAME|ID", description = "Export a named version")
    String version;

    @Option(names = "--out", paramLabel = "FILE", description = "Write to this file")
    Path outFile;

    @Override
    int run(LiaisonClient client, Documents documents, OpenDocument doc) throws Exception {
      List<String> heads = version == null ? null : version(documents, doc, version).heads();
      JsonObject json = heads == null ? doc.json() : doc.json(heads);
      String markdown = MarkdownExport.render(json, doc.marks(heads));
      if (outFile == null) {
        out().print(markdown);
        out().flush();
      } else {
        Files.writeString(outFile, markdown);
        out().println("Wrote " + outFile);
      }
      return 0;
    }
  }
}
