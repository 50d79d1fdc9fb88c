package org.liaison.client.cli;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import org.liaison.client.LiaisonClient;

/**
 * Names for the ids the CLI prints: people, cities and organisations as the signed-in user's
 * directory shows them. Names are a nicety for the reader; ids stay beside them because ids are
 * what is verified. A part the server refuses (e.g. a view the tier does not allow) stays empty and
 * its ids print bare.
 */
final class Directory {
  private final Map<String, JsonObject> people = new HashMap<>();
  private final Map<String, String> cities = new HashMap<>();
  private final Map<String, String> organisations = new HashMap<>();

  static Directory read(LiaisonClient client) throws Exception {
    Directory d = new Directory();
    d.fill(client.users("limit=1000"), u -> d.people.put(u.getString("id"), u));
    d.fill(client.cities(), c -> d.cities.put(c.getString("id"), c.getString("name")));
    d.fill(
        client.organisations(), o -> d.organisations.put(o.getString("id"), o.getString("name")));
    return d;
  }

  private void fill(Future<JsonArray> items, java.util.function.Consumer<JsonObject> put) {
    try {
      JsonArray all = LiaisonCli.await(items);
      for (int i = 0; i < all.size(); i++) {
        put.accept(all.getJsonObject(i));
      }
    } catch (Exception e) {
      // Not in this user's view: the ids print bare.
    }
  }

  /** "Arta" or the id when the directory does not list them. */
  String name(String userId) {
    JsonObject person = people.get(userId);
    return person == null ? userId : person.getString("displayName", userId);
  }

  /** "Arta (Tetovo youth centre, Tetovo) [id]": whom an id stands for, and where they work. */
  String person(String userId) {
    JsonObject person = people.get(userId);
    if (person == null) {
      return userId;
    }
    return person.getString("displayName", "?")
        + where(person.getString("organisationId"), person.getString("cityId"))
        + " ["
        + userId
        + "]";
  }

  /** The person's organisation id, when the directory lists them. */
  String organisationOf(String userId) {
    JsonObject person = people.get(userId);
    return person == null ? null : person.getString("organisationId");
  }

  /** " (Tetovo youth centre, Tetovo)", " (Tetovo)" or "" as far as the names are known. */
  String where(String organisationId, String cityId) {
    String organisation = organisationId == null ? null : organisations.get(organisationId);
    String city = cityId == null ? null : cities.get(cityId);
    if (organisation == null && city == null) {
      return "";
    }
    if (organisation == null || city == null) {
      return " (" + (organisation == null ? city : organisation) + ")";
    }
    return " (" + organisation + ", " + city + ")";
  }

  /** The city's name, or its id when unknown; "network-wide" for none. */
  String city(String cityId) {
    if (cityId == null || cityId.isEmpty()) {
      return "network-wide";
    }
    return cities.getOrDefault(cityId, cityId);
  }
}
