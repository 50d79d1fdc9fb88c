package org.liaison.server.organisations;

import io.vertx.core.json.JsonObject;
import org.bson.Document;

public record City(String id, String name, String country) {
  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("name", name).put("country", country);
  }

  Document toDocument() {
    return new Document("_id", id)
        .append("name", name)
        .append("country", country)
        .append("key", CityRepository.uniqueKey(name, country));
  }

  static City fromDocument(Document d) {
    return new City(d.getString("_id"), d.getString("name"), d.getString("country"));
  }
}
