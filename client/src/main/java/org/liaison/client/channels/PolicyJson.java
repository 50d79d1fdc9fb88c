package org.liaison.client.channels;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.TreeSet;
import org.liaison.crypto.mls.ChannelPolicy;

/** A channel policy in the protocol's JSON form: {@code {minTier: "T2", allowedSectors, …}}. */
public final class PolicyJson {
  private PolicyJson() {}

  public static JsonObject toJson(ChannelPolicy policy) {
    return new JsonObject()
        .put("minTier", "T" + policy.minTier())
        .put("allowedSectors", new JsonArray(policy.allowedSectors().stream().toList()))
        .put("retentionDays", policy.retentionDays())
        .put("historyOnJoin", policy.historyOnJoin());
  }

  public static ChannelPolicy fromJson(JsonObject json) {
    TreeSet<String> sectors = new TreeSet<>();
    JsonArray list = json.getJsonArray("allowedSectors", new JsonArray());
    for (int i = 0; i < list.size(); i++) {
      sectors.add(list.getString(i));
    }
    return new ChannelPolicy(
        tier(json.getValue("minTier")),
        sectors,
        json.getInteger("retentionDays"),
        json.getBoolean("historyOnJoin", false));
  }

  /** "T2" (or 2) to 2. */
  public static int tier(Object value) {
    if (value instanceof Number n) {
      return n.intValue();
    }
    String text = String.valueOf(value);
    if (text.matches("T[0-3]")) {
      return text.charAt(1) - '0';
    }
    throw new IllegalArgumentException("a tier is T0..T3: " + text);
  }
}
