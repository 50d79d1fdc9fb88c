package org.liaison.client;

import io.vertx.core.json.JsonObject;

/** The tokens of a signed-in client. Never printed: {@link #toString} hides them. */
public record Session(String accessToken, String refreshToken) {
  public static Session fromJson(JsonObject json) {
    return new Session(json.getString("accessToken"), json.getString("refreshToken"));
  }

  public JsonObject toJson() {
    return new JsonObject().put("accessToken", accessToken).put("refreshToken", refreshToken);
  }

  @Override
  public String toString() {
    return "Session[tokens hidden]";
  }
}
