package org.liaison.server.delivery;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import org.bson.Document;
import org.bson.types.Binary;
import org.liaison.server.api.Base64Field;

/**
 * One entry of a channel's log: an application message (MLS PrivateMessage) or a commit (MLS
 * PublicMessage) with the membership change the server derived from it. Immutable once written, so
 * any copy of it, cached anywhere, is correct.
 */
public record LogEntry(
    String channelId,
    long seq,
    Kind kind,
    long epoch,
    String senderUserId,
    String senderDeviceId,
    Instant sentAt,
    byte[] payload,
    String clientMessageId,
    List<LeafChange> added,
    List<LeafChange> removed) {

  public enum Kind {
    MESSAGE,
    COMMIT
  }

  /** A device that a commit put at, or took from, a leaf. */
  public record LeafChange(int leaf, String userId, String deviceId) {
    JsonObject toJson() {
      return new JsonObject().put("leaf", leaf).put("userId", userId).put("deviceId", deviceId);
    }

    Document toDocument() {
      return new Document("leaf", leaf).append("userId", userId).append("deviceId", deviceId);
    }

    static LeafChange fromDocument(Document d) {
      return new LeafChange(d.getInteger("leaf"), d.getString("userId"), d.getString("deviceId"));
    }
  }

  /** Ids sort and look up by channel then seq; zero-padded so catch-up is an {@code $in}. */
  public static String id(String channelId, long seq) {
    return channelId + ":" + String.format("%012d", seq);
  }

  public String id() {
    return id(channelId, seq);
  }

  public boolean removes(String deviceId) {
    return removed.stream().anyMatch(c -> c.deviceId().equals(deviceId));
  }

  /** The realtime frame and catch-up item: {@code message} or {@code handshake}. */
  public JsonObject toJson() {
    JsonObject json =
        new JsonObject()
            .put("channelId", channelId)
            .put("seq", seq)
            .put("kind", kind == Kind.MESSAGE ? "message" : "commit")
            .put("epoch", epoch)
            .put("senderUserId", senderUserId)
            .put("senderDeviceId", senderDeviceId)
            .put("sentAt", sentAt.toString());
    if (kind == Kind.MESSAGE) {
      json.put("ciphertext", Base64Field.encode(payload));
    } else {
      json.put("newEpoch", epoch + 1)
          .put("commit", Base64Field.encode(payload))
          .put("added", new JsonArray(added.stream().map(LeafChange::toJson).toList()))
          .put("removed", new JsonArray(removed.stream().map(LeafChange::toJson).toList()));
    }
    return json;
  }

  /**
   * What fan-out carries on the event bus: the realtime frame encoded once (not once per receiving
   * device), and which devices a commit removes and adds, which is all a connection needs.
   */
  public record Fanout(long seq, String frame, List<String> removed, List<String> added) {
    public boolean isCommit() {
      return removed != null;
    }

    public JsonObject toJson() {
      JsonObject json = new JsonObject().put("seq", seq).put("frame", frame);
      if (isCommit()) {
        json.put("removed", new JsonArray(removed)).put("added", new JsonArray(added));
      }
      return json;
    }

    @SuppressWarnings("unchecked")
    public static Fanout fromJson(JsonObject json) {
      JsonArray removed = json.getJsonArray("removed");
      JsonArray added = json.getJsonArray("added");
      return new Fanout(
          json.getLong("seq"),
          json.getString("frame"),
          removed == null ? null : removed.getList(),
          added == null ? null : added.getList());
    }
  }

  public Fanout fanout() {
    String frame = toJson().put("type", kind == Kind.MESSAGE ? "message" : "handshake").encode();
    return kind == Kind.MESSAGE
        ? new Fanout(seq, frame, null, null)
        : new Fanout(
            seq,
            frame,
            removed.stream().map(LeafChange::deviceId).toList(),
            added.stream().map(LeafChange::deviceId).toList());
  }

  public int size() {
    return payload.length;
  }

  Document toDocument() {
    Document doc =
        new Document("_id", id())
            .append("ch", channelId)
            .append("seq", seq)
            .append("kind", kind.name())
            .append("epoch", epoch)
            .append("senderUserId", senderUserId)
            .append("senderDeviceId", senderDeviceId)
            .append("sentAt", java.util.Date.from(sentAt))
            .append("payload", new Binary(payload))
            .append("cmid", clientMessageId);
    if (kind == Kind.COMMIT) {
      doc.append("added", added.stream().map(LeafChange::toDocument).toList())
          .append("removed", removed.stream().map(LeafChange::toDocument).toList());
    }
    return doc;
  }

  static LogEntry fromDocument(Document d) {
    return new LogEntry(
        d.getString("ch"),
        d.getLong("seq"),
        Kind.valueOf(d.getString("kind")),
        d.getLong("epoch"),
        d.getString("senderUserId"),
        d.getString("senderDeviceId"),
        d.getDate("sentAt").toInstant(),
        d.get("payload", Binary.class).getData(),
        d.getString("cmid"),
        d.getList("added", Document.class, List.of()).stream()
            .map(LeafChange::fromDocument)
            .toList(),
        d.getList("removed", Document.class, List.of()).stream()
            .map(LeafChange::fromDocument)
            .toList());
  }
}
