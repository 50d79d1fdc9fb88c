package org.liaison.server.realtime;

import io.vertx.core.json.JsonObject;
import org.liaison.server.api.ApiError;
import org.liaison.server.api.Fields;
import org.liaison.server.delivery.DeliveryService;

/** The realtime frames the server writes, and the fields it reads from the device's frames. */
final class Frames {
  private Frames() {}

  /** An accepted {@code send} or {@code commit}, echoing the device's client message id. */
  static JsonObject ack(
      String clientMessageId, JsonObject frame, DeliveryService.Accepted accepted) {
    return new JsonObject()
        .put("type", "ack")
        .put("clientMessageId", clientMessageId)
        .put("channelId", frame.getString("channelId"))
        .put("seq", accepted.seq())
        .put("epoch", accepted.epoch())
        .put("duplicate", accepted.duplicate());
  }

  /** The error envelope of the HTTP API, as a frame. */
  static JsonObject error(ApiError error) {
    JsonObject frame =
        new JsonObject()
            .put("type", "error")
            .put("status", error.status())
            .put("code", error.code())
            .put("message", error.getMessage());
    if (error.details() != null) {
      frame.put("details", error.details());
    }
    return frame;
  }

  /** The first frame: the device's channels and where each one's delivery starts. */
  static JsonObject ready(String deviceId, io.vertx.core.json.JsonArray channels) {
    return new JsonObject()
        .put("type", "ready")
        .put("deviceId", deviceId)
        .put("channels", channels);
  }

  static JsonObject pong() {
    return new JsonObject().put("type", "pong");
  }

  /** A document presence frame, device to server: a position and a name, sealed. */
  static final int MAX_PRESENCE_BYTES = 4096;

  /** A required string field of a frame. */
  static String text(JsonObject frame, String field) {
    Object value = frame.getValue(field);
    if (!(value instanceof String text) || text.isEmpty()) {
      throw ApiError.invalidField(field, field + " is required");
    }
    return text;
  }

  static String channelId(JsonObject frame) {
    Object id = frame.getValue("channelId");
    if (!(id instanceof String text)) {
      throw ApiError.invalidField("channelId", "channelId is required");
    }
    return Fields.id(text, "channel");
  }

  /** The server never takes a sender from a frame; a frame that names another one is refused. */
  static void refuseForgedSender(JsonObject frame, DeliveryService.Sender sender) {
    Object device = frame.getValue("senderDeviceId");
    Object user = frame.getValue("senderUserId");
    if ((device != null && !sender.deviceId().equals(device))
        || (user != null && !sender.user().id().equals(user))) {
      throw new ApiError(
          403, "sender-mismatch", "A frame cannot name another sender than this device");
    }
  }
}
