package org.liaison.server.organisations;

import io.vertx.core.json.JsonObject;
import org.bson.Document;

public record Organisation(String id, String cityId, String name, Sector sector) {
  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("cityId", cityId)
        .put("name", name)
        .put("sector", sector.wire());
  }

  Document toDocument() {
    return new Document("_id", id)
        .append("cityId", cityId)
        .append("name", name)
        .append("sector", sector.wire())
        .append("key", CityRepository.uniqueKey(cityId, name));
  }

  static Organisation fromDocument(Document d) {
    return new Organisation(
        d.getString("_id"),
        d.getString("cityId"),
        d.getString("name"),
        Sector.parse(d.getString("sector")));
  }
}
