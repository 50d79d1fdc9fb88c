package org.liaison.client.documents;

import io.vertx.core.json.JsonObject;
import java.util.Optional;

/**
 * A document as the list shows it; {@code header} is empty when this device cannot read it (no key
 * for its generation, or it does not authenticate).
 */
public record DocumentSummary(
    String id,
    String channelId,
    long generation,
    Optional<DocumentHeader> header,
    String createdBy,
    String createdAt,
    String updatedAt,
    long lastSeq,
    long snapshotSeq) {

  public String displayTitle() {
    return header
        .map(DocumentHeader::title)
        .filter(t -> !t.isBlank())
        .orElse("(untitled " + id + ")");
  }

  static DocumentSummary of(JsonObject json, Optional<DocumentHeader> header) {
    return new DocumentSummary(
        json.getString("id"),
        json.getString("channelId"),
        json.getLong("generation", 0L),
        header,
        json.getString("createdBy", ""),
        json.getString("createdAt", ""),
        json.getString("updatedAt", ""),
        json.getLong("lastSeq", 0L),
        json.getLong("snapshotSeq", 0L));
  }
}
