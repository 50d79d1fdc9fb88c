package org.liaison.server.organisations;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Sorts;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.vertx.core.Future;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.bson.Document;
import org.liaison.server.store.Mongo;
import org.liaison.server.store.Store;

/**
 * Cities and their organisations. Both collections carry a {@code key} with a unique index, so two
 * cities of one name in one country, or two organisations of one name in one city, cannot exist.
 */
public final class CityRepository {
  private static final int MAX_LIST = 1000;
  private final MongoCollection<Document> cities;
  private final MongoCollection<Document> organisations;

  public CityRepository(Store store) {
    this.cities = store.collection("cities");
    this.organisations = store.collection("organisations");
  }

  static String uniqueKey(String a, String b) {
    return (a + "\u0000" + b).toLowerCase(Locale.ROOT);
  }

  public Future<Void> createIndexes() {
    IndexOptions unique = new IndexOptions().unique(true);
    return Mongo.first(cities.createIndex(Indexes.ascending("key"), unique))
        .compose(v -> Mongo.first(organisations.createIndex(Indexes.ascending("key"), unique)))
        .compose(v -> Mongo.first(organisations.createIndex(Indexes.ascending("cityId"))))
        .mapEmpty();
  }

  public Future<City> insert(City city) {
    return Mongo.first(cities.insertOne(city.toDocument())).map(r -> city);
  }

  public Future<Organisation> insert(Organisation organisation) {
    return Mongo.first(organisations.insertOne(organisation.toDocument())).map(r -> organisation);
  }

  public Future<Optional<City>> city(String id) {
    return Mongo.optional(cities.find(Filters.eq("_id", id)).first())
        .map(d -> d.map(City::fromDocument));
  }

  public Future<Optional<Organisation>> organisation(String id) {
    return Mongo.optional(organisations.find(Filters.eq("_id", id)).first())
        .map(d -> d.map(Organisation::fromDocument));
  }

  public Future<List<City>> cities() {
    return Mongo.list(cities.find().sort(Sorts.ascending("name")).limit(MAX_LIST))
        .map(docs -> docs.stream().map(City::fromDocument).toList());
  }

  public Future<List<Organisation>> organisations(Optional<String> cityId) {
    Document query = cityId.map(c -> new Document("cityId", c)).orElseGet(Document::new);
    return Mongo.list(organisations.find(query).sort(Sorts.ascending("name")).limit(MAX_LIST))
        .map(docs -> docs.stream().map(Organisation::fromDocument).toList());
  }
}
