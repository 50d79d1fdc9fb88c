package org.liaison.client.channels;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.liaison.client.LiaisonClient;
import org.liaison.client.channels.ChannelEvent.MemberRef;

/**
 * One entry of a channel's log as the server serves it (docs/protocol.md, "The log"): an
 * application message or a commit. What the server says about senders and members is a claim to
 * check against MLS, never a fact.
 */
public record LogEntry(
    String channelId,
    long seq,
    Kind kind,
    long epoch,
    Optional<Long> newEpoch,
    String senderUserId,
    String senderDeviceId,
    String sentAt,
    byte[] payload,
    List<MemberRef> added,
    List<MemberRef> removed) {
  public enum Kind {
    MESSAGE,
    COMMIT
  }

  /** Parses an entry from a catch-up page or a {@code message}/{@code handshake} frame. */
  public static LogEntry fromJson(String channelId, JsonObject json) {
    String kind = json.getString("kind");
    boolean commit = "commit".equals(kind) || "handshake".equals(json.getString("type"));
    if (!commit && kind != null && !"message".equals(kind)) {
      throw new IllegalArgumentException("unknown entry kind " + kind);
    }
    String bytes = json.getString(commit ? "commit" : "ciphertext");
    if (bytes == null || json.getValue("seq") == null || json.getValue("epoch") == null) {
      throw new IllegalArgumentException("entry lacks seq, epoch or its bytes");
    }
    return new LogEntry(
        channelId,
        json.getLong("seq"),
        commit ? Kind.COMMIT : Kind.MESSAGE,
        json.getLong("epoch"),
        Optional.ofNullable(json.getLong("newEpoch")),
        json.getString("senderUserId"),
        json.getString("senderDeviceId"),
        json.getString("sentAt"),
        LiaisonClient.unb64(bytes),
        memberRefs(json.getJsonArray("added")),
        memberRefs(json.getJsonArray("removed")));
  }

  /** Devices as the server lists them (entries and channel records alike); none when absent. */
  static List<MemberRef> memberRefs(JsonArray array) {
    List<MemberRef> out = new ArrayList<>();
    if (array != null) {
      for (int i = 0; i < array.size(); i++) {
        JsonObject m = array.getJsonObject(i);
        out.add(
            new MemberRef(
                m.getInteger("leaf", -1), m.getString("userId"), m.getString("deviceId")));
      }
    }
    return List.copyOf(out);
  }

  /**
   * Whether this commit takes the device out of the channel: it removes the device's leaf and does
   * not put it back (a resync's external commit removes the device's old leaf and adds it anew).
   */
  public boolean removes(String deviceId) {
    return removed.stream().anyMatch(m -> deviceId.equals(m.deviceId()))
        && added.stream().noneMatch(m -> deviceId.equals(m.deviceId()));
  }

  @Override
  public String toString() {
    return "LogEntry[" + channelId + " #" + seq + " " + kind + " epoch=" + epoch + "]";
  }
}
