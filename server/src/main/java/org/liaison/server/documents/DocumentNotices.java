package org.liaison.server.documents;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import org.liaison.server.events.Events;

/**
 * What the documents say on the event bus, as the frames member devices get: the realtime
 * connections of the channel's member devices (on whichever node) write them as they are.
 */
final class DocumentNotices {
  /** Above this, an update frame only names the seq; the device reads it over HTTP. */
  static final int INLINE_UPDATE_BYTES = 64 * 1024;

  private final EventBus bus;

  DocumentNotices(Vertx vertx) {
    this.bus = vertx.eventBus();
  }

  void created(DocumentRecord record) {
    send(
        record.channelId(),
        frame(record.channelId(), "document-created").put("document", record.toJson()));
  }

  void headerChanged(DocumentRecord record) {
    send(
        record.channelId(),
        frame(record.channelId(), "document-header").put("document", record.toJson()));
  }

  void updated(String channelId, DocumentUpdate update) {
    JsonObject frame =
        frame(channelId, "document-updated")
            .put("documentId", update.documentId())
            .put("seq", update.seq());
    if (update.ciphertext().length <= INLINE_UPDATE_BYTES) {
      frame.put("update", update.toJson());
    }
    send(channelId, frame);
  }

  void snapshot(String channelId, String documentId, long coversSeq) {
    send(
        channelId,
        frame(channelId, "document-snapshot")
            .put("documentId", documentId)
            .put("coversSeq", coversSeq));
  }

  void version(String channelId, DocumentVersion version) {
    send(
        channelId,
        frame(channelId, "document-version")
            .put("documentId", version.documentId())
            .put("version", version.toJson()));
  }

  void keyring(String channelId, long epoch) {
    send(channelId, frame(channelId, "document-keyring").put("epoch", epoch));
  }

  /** Relayed as is, never stored; connections of the sending device skip it. */
  void presence(
      String channelId,
      String documentId,
      String userId,
      String deviceId,
      long generation,
      String ciphertext) {
    send(
        channelId,
        frame(channelId, "document-presence")
            .put("documentId", documentId)
            .put("userId", userId)
            .put("deviceId", deviceId)
            .put("generation", generation)
            .put("ciphertext", ciphertext));
  }

  private static JsonObject frame(String channelId, String type) {
    return new JsonObject().put("type", type).put("channelId", channelId);
  }

  private void send(String channelId, JsonObject frame) {
    bus.publish(Events.documents(channelId), frame);
  }
}
