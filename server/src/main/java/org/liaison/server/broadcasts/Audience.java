package org.liaison.server.broadcasts;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import org.bson.Document;
import org.liaison.server.accounts.Tier;
import org.liaison.server.accounts.User;
import org.liaison.server.api.ApiError;
import org.liaison.server.organisations.Sector;

/**
 * Who a broadcast is for: cities (empty = every city, people with no city included), sectors (empty
 * = every sector) and a minimum tier. Lists are sorted by their UTF-8 bytes and distinct, as the
 * signed header holds them.
 */
record Audience(List<String> cities, List<String> sectors, int minTier) {
  static final int MAX_CITIES = 255;

  /** Sorted by UTF-8 bytes, as the header's canonical encoding sorts them. */
  static final Comparator<String> UTF8 =
      (a, b) ->
          java.util.Arrays.compareUnsigned(
              a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

  Audience {
    cities = sorted(cities);
    sectors = sorted(sectors);
  }

  private static List<String> sorted(List<String> values) {
    TreeSet<String> set = new TreeSet<>(UTF8);
    set.addAll(values);
    return List.copyOf(set);
  }

  /** Active, in one of the cities, in one of the sectors, at or above the tier. */
  boolean includes(User user) {
    return user.active()
        && (cities.isEmpty() || (user.cityId() != null && cities.contains(user.cityId())))
        && (sectors.isEmpty() || sectors.contains(user.sector().wire()))
        && user.tier().ordinal() >= minTier;
  }

  /**
   * {@code {cities: [...], sectors: [...], minTier: "T0".."T3"}} at {@code field} of the body; 400
   * validation-failed naming the field.
   */
  static Audience fromJson(JsonObject body, String field) {
    Object raw = body.getValue(field);
    if (!(raw instanceof JsonObject audience)) {
      throw ApiError.invalidField(field, field + " must be an object {cities, sectors, minTier}");
    }
    List<String> cities = strings(audience, field + ".cities");
    for (String city : cities) {
      if (!city.matches("^[0-9a-f]{32}$")) {
        throw ApiError.invalidField(field + ".cities", "cities must be city ids");
      }
    }
    List<String> sectors = strings(audience, field + ".sectors");
    for (String sector : sectors) {
      try {
        Sector.parse(sector);
      } catch (IllegalArgumentException e) {
        throw ApiError.invalidField(field + ".sectors", "sectors must be among " + Sector.ALLOWED);
      }
    }
    Object tier = audience.getValue("minTier");
    int minTier;
    if (tier == null) {
      minTier = 0;
    } else {
      try {
        minTier = Tier.parse(String.valueOf(tier)).ordinal();
      } catch (IllegalArgumentException e) {
        throw ApiError.invalidField(field + ".minTier", "minTier must be one of " + Tier.ALLOWED);
      }
    }
    return new Audience(cities, sectors, minTier);
  }

  private static List<String> strings(JsonObject audience, String field) {
    String key = field.substring(field.lastIndexOf('.') + 1);
    Object raw = audience.getValue(key);
    if (raw == null) {
      return List.of();
    }
    if (!(raw instanceof JsonArray array) || array.size() > MAX_CITIES) {
      throw ApiError.invalidField(field, field + " must be a list of at most 255 strings");
    }
    List<String> values = new ArrayList<>();
    for (Object value : array) {
      if (!(value instanceof String text)) {
        throw ApiError.invalidField(field, field + " must be a list of strings");
      }
      values.add(text);
    }
    return values;
  }

  JsonObject toJson() {
    return new JsonObject()
        .put("cities", new JsonArray(cities))
        .put("sectors", new JsonArray(sectors))
        .put("minTier", "T" + minTier);
  }

  Document toDocument() {
    return new Document("cities", cities).append("sectors", sectors).append("minTier", minTier);
  }

  static Audience fromDocument(Document d) {
    return new Audience(
        d.getList("cities", String.class),
        d.getList("sectors", String.class),
        d.get("minTier", Number.class).intValue());
  }
}
