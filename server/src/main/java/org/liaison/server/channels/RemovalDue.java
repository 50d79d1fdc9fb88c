package org.liaison.server.channels;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.bson.Document;
import org.liaison.server.api.WireEnum;

/**
 * A removal a channel's members owe: the user's leaves (or one device's, when {@code deviceId} is
 * set) must go, and any member allowed to may commit it. Stored with the channel, so members who
 * were offline when it was announced still carry it out; gone once no such leaf is left.
 */
public record RemovalDue(String userId, String deviceId, Reason reason) {

  public enum Reason {
    LEAVE_REQUESTED,
    DEVICE_REVOKED,
    MEMBER_SUSPENDED,
    TIER_LOWERED;

    public String wire() {
      return WireEnum.name(this);
    }
  }

  /** All of a user's devices. */
  public static RemovalDue ofUser(String userId, Reason reason) {
    return new RemovalDue(userId, null, reason);
  }

  /** Whether {@code leaf} is one this removal is about. */
  public boolean covers(Leaf leaf) {
    return leaf != null
        && leaf.userId().equals(userId)
        && (deviceId == null || leaf.deviceId().equals(deviceId));
  }

  /** Whether any of these leaves is still to be removed. */
  public boolean pendingIn(List<Leaf> leaves) {
    return leaves.stream().anyMatch(this::covers);
  }

  public JsonObject toJson() {
    // deviceId is always present: null means every device of the user.
    return new JsonObject()
        .put("userId", userId)
        .put("deviceId", deviceId)
        .put("reason", reason.wire());
  }

  Document toDocument() {
    return new Document("userId", userId)
        .append("deviceId", deviceId)
        .append("reason", reason.wire());
  }

  static RemovalDue fromDocument(Document d) {
    return new RemovalDue(
        d.getString("userId"),
        d.getString("deviceId"),
        WireEnum.parse(Reason.class, d.getString("reason")));
  }
}
