package org.liaison.server.channels;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Optional;
import java.util.TreeSet;
import org.bson.Document;
import org.liaison.crypto.mls.ChannelPolicy;
import org.liaison.server.accounts.Tier;
import org.liaison.server.accounts.User;
import org.liaison.server.api.ApiError;
import org.liaison.server.organisations.Sector;

/** A channel policy on the wire (JSON), in the store, and the one rule: who it admits. */
public final class Policies {
  private Policies() {}

  public static ChannelPolicy fromJson(JsonObject body) {
    Object raw = body.getValue("policy");
    if (!(raw instanceof JsonObject json)) {
      throw ApiError.invalidField("policy", "policy is required");
    }
    Tier minTier;
    try {
      minTier = Tier.parse(json.getString("minTier", ""));
    } catch (IllegalArgumentException | ClassCastException e) {
      throw ApiError.invalidField(
          "policy.minTier", "policy.minTier must be one of " + Tier.ALLOWED);
    }
    TreeSet<String> sectors = new TreeSet<>();
    Object list = json.getValue("allowedSectors");
    if (list != null && !(list instanceof JsonArray)) {
      throw ApiError.invalidField("policy.allowedSectors", "allowedSectors must be an array");
    }
    if (list instanceof JsonArray array) {
      for (Object sector : array) {
        try {
          sectors.add(Sector.parse((String) sector).wire());
        } catch (IllegalArgumentException | ClassCastException e) {
          throw ApiError.invalidField(
              "policy.allowedSectors", "allowedSectors must be among " + Sector.ALLOWED);
        }
      }
    }
    Object days = json.getValue("retentionDays");
    if (!(days instanceof Integer retention) || retention < 1 || retention > 3650) {
      throw ApiError.invalidField("policy.retentionDays", "retentionDays must be 1..3650");
    }
    Object history = json.getValue("historyOnJoin", false);
    if (!(history instanceof Boolean historyOnJoin)) {
      throw ApiError.invalidField("policy.historyOnJoin", "historyOnJoin must be true or false");
    }
    return new ChannelPolicy(minTier.ordinal(), sectors, retention, historyOnJoin);
  }

  public static JsonObject toJson(ChannelPolicy policy) {
    return new JsonObject()
        .put("minTier", Tier.values()[policy.minTier()].name())
        .put("allowedSectors", new JsonArray(policy.allowedSectors().stream().toList()))
        .put("retentionDays", policy.retentionDays())
        .put("historyOnJoin", policy.historyOnJoin())
        .put("summary", policy.describe());
  }

  static Document toDocument(ChannelPolicy policy) {
    return new Document("minTier", policy.minTier())
        .append("allowedSectors", policy.allowedSectors().stream().toList())
        .append("retentionDays", policy.retentionDays())
        .append("historyOnJoin", policy.historyOnJoin());
  }

  static ChannelPolicy fromDocument(Document d) {
    return new ChannelPolicy(
        d.getInteger("minTier"),
        new TreeSet<>(d.getList("allowedSectors", String.class)),
        d.getInteger("retentionDays"),
        d.getBoolean("historyOnJoin"));
  }

  /** A rule of a channel policy that a user breaks, and why, in words for people. */
  public record Broken(String rule, String message) {}

  /**
   * The rule the user breaks and why; empty when the policy admits them. The one explanation of the
   * policy, for adds (403 policy-violation) and for members who no longer meet it (403
   * policy-not-met).
   */
  public static Optional<Broken> explain(ChannelPolicy policy, User user) {
    String rule = breaks(policy, user);
    if (rule == null) {
      return Optional.empty();
    }
    return Optional.of(
        new Broken(
            rule,
            rule.equals("min-tier")
                ? user.displayName()
                    + " is "
                    + user.tier()
                    + "; this channel needs T"
                    + policy.minTier()
                : user.displayName()
                    + "'s sector ("
                    + user.sector().wire()
                    + ") is not allowed here"));
  }

  /** Null when the policy admits the user, else the rule it breaks. */
  public static String breaks(ChannelPolicy policy, User user) {
    if (user.tier().ordinal() < policy.minTier()) {
      return "min-tier";
    }
    if (!policy.admits(user.tier().ordinal(), user.sector().wire())) {
      return "sector";
    }
    return null;
  }
}
