package org.liaison.crypto.documents;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.liaison.crypto.Labels;

/**
 * What a sealed document record is and where it belongs: the one place that knows each record's
 * label and AAD fields (docs/documents.md, "Encryption"). The AAD is the label and the fields
 * joined with {@code |}, so a record moved to another document, generation, author, sequence number
 * or channel no longer authenticates.
 */
public sealed interface DocumentAad {
  /** The record's label: its HKDF label (for document records) and the first AAD field. */
  String label();

  /** The fields after the label, in AAD order. */
  List<String> fields();

  default String text() {
    return Stream.concat(Stream.of(label()), fields().stream()).collect(Collectors.joining("|"));
  }

  default byte[] bytes() {
    return text().getBytes(StandardCharsets.UTF_8);
  }

  /** A record sealed under a document key derived from generation key {@code DK_g}. */
  sealed interface OfDocument extends DocumentAad {
    String documentId();

    long generation();
  }

  /** The channel's keyring at an epoch, sealed under that epoch's MLS exporter secret. */
  record Keyring(String channelId, long epoch) implements DocumentAad {
    public Keyring {
      requireField("channelId", channelId);
      requireNumber("epoch", epoch);
    }

    public String label() {
      return Labels.DOC_KEYRING;
    }

    public List<String> fields() {
      return List.of(channelId, Long.toString(epoch));
    }
  }

  record Header(String documentId, long generation) implements OfDocument {
    public Header {
      requireField("documentId", documentId);
      requireNumber("generation", generation);
    }

    public String label() {
      return Labels.DOC_HEADER;
    }

    public List<String> fields() {
      return List.of(documentId, Long.toString(generation));
    }
  }

  record Update(String documentId, long generation, String authorDeviceId, long clientSeq)
      implements OfDocument {
    public Update {
      requireField("documentId", documentId);
      requireNumber("generation", generation);
      requireField("authorDeviceId", authorDeviceId);
      requireNumber("clientSeq", clientSeq);
    }

    public String label() {
      return Labels.DOC_UPDATE;
    }

    public List<String> fields() {
      return List.of(
          documentId, Long.toString(generation), authorDeviceId, Long.toString(clientSeq));
    }
  }

  record Snapshot(String documentId, long generation, long coversSeq, String authorDeviceId)
      implements OfDocument {
    public Snapshot {
      requireField("documentId", documentId);
      requireNumber("generation", generation);
      requireNumber("coversSeq", coversSeq);
      requireField("authorDeviceId", authorDeviceId);
    }

    public String label() {
      return Labels.DOC_SNAPSHOT;
    }

    public List<String> fields() {
      return List.of(
          documentId, Long.toString(generation), Long.toString(coversSeq), authorDeviceId);
    }
  }

  record Version(String documentId, long generation, String authorDeviceId) implements OfDocument {
    public Version {
      requireField("documentId", documentId);
      requireNumber("generation", generation);
      requireField("authorDeviceId", authorDeviceId);
    }

    public String label() {
      return Labels.DOC_VERSION;
    }

    public List<String> fields() {
      return List.of(documentId, Long.toString(generation), authorDeviceId);
    }
  }

  record Presence(String documentId, long generation, String authorDeviceId) implements OfDocument {
    public Presence {
      requireField("documentId", documentId);
      requireNumber("generation", generation);
      requireField("authorDeviceId", authorDeviceId);
    }

    public String label() {
      return Labels.DOC_PRESENCE;
    }

    public List<String> fields() {
      return List.of(documentId, Long.toString(generation), authorDeviceId);
    }
  }

  /** A field holding {@code |} would let two different contexts share one AAD string. */
  private static void requireField(String name, String value) {
    if (value == null || value.isEmpty() || value.indexOf('|') >= 0) {
      throw new IllegalArgumentException(name + " must be non-empty and must not contain '|'");
    }
  }

  private static void requireNumber(String name, long value) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must not be negative");
    }
  }
}
