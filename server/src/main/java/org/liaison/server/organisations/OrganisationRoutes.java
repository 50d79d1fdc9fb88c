package org.liaison.server.organisations;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.Optional;
import org.liaison.server.access.AccessRules;
import org.liaison.server.accounts.User;
import org.liaison.server.api.ApiError;
import org.liaison.server.api.Fields;
import org.liaison.server.api.Ids;
import org.liaison.server.audit.AuditLog;
import org.liaison.server.auth.Actor;
import org.liaison.server.http.Bodies;
import org.liaison.server.http.Handlers;
import org.liaison.server.store.Mongo;

/** Cities (created by network admins) and their organisations (by admins or the coordinator). */
public final class OrganisationRoutes {
  private final CityRepository cities;
  private final AuditLog audit;

  public OrganisationRoutes(CityRepository cities, AuditLog audit) {
    this.cities = cities;
    this.audit = audit;
  }

  public void mount(Router api, Handler<RoutingContext> authenticated) {
    api.get("/cities").handler(authenticated).handler(Handlers.json(200, this::listCities));
    api.post("/cities").handler(authenticated).handler(Handlers.json(201, this::createCity));
    api.get("/organisations")
        .handler(authenticated)
        .handler(Handlers.json(200, this::listOrganisations));
    api.post("/organisations")
        .handler(authenticated)
        .handler(Handlers.json(201, this::createOrganisation));
  }

  private Future<JsonObject> listCities(RoutingContext ctx) {
    return cities.cities().map(list -> items(list.stream().map(City::toJson).toList()));
  }

  private Future<JsonObject> createCity(RoutingContext ctx) {
    User actor = Actor.of(ctx).user();
    AccessRules.requireNetworkAdmin(actor);
    JsonObject body = Bodies.json(ctx);
    City city =
        new City(
            Ids.newId(),
            Fields.requiredText(body, "name", 100),
            Fields.requiredText(body, "country", 100));
    return cities
        .insert(city)
        .recover(e -> duplicate(e, "city-exists", "This city already exists in that country"))
        .compose(
            c ->
                audit.append(
                    actor.id(),
                    "city.created",
                    c.id(),
                    c.id(),
                    Map.of("name", c.name(), "country", c.country())))
        .map(e -> city.toJson());
  }

  private Future<JsonObject> listOrganisations(RoutingContext ctx) {
    Optional<String> cityId =
        Optional.ofNullable(ctx.queryParams().get("cityId")).map(id -> Fields.id(id, "city"));
    return cities
        .organisations(cityId)
        .map(list -> items(list.stream().map(Organisation::toJson).toList()));
  }

  private Future<JsonObject> createOrganisation(RoutingContext ctx) {
    User actor = Actor.of(ctx).user();
    JsonObject body = Bodies.json(ctx);
    String cityId = Fields.requiredText(body, "cityId", 64);
    String name = Fields.requiredText(body, "name", 200);
    Sector sector = Fields.oneOf(body, "sector", Sector::parse, Sector.ALLOWED);
    AccessRules.requireManagesCity(actor, cityId);
    return cities
        .city(cityId)
        .compose(
            city -> {
              if (city.isEmpty()) {
                throw ApiError.invalidField("cityId", "No such city");
              }
              return cities
                  .insert(new Organisation(Ids.newId(), cityId, name, sector))
                  .recover(
                      e ->
                          duplicate(
                              e,
                              "organisation-exists",
                              "This city already has an organisation of that name"));
            })
        .compose(
            o ->
                audit
                    .append(
                        actor.id(),
                        "organisation.created",
                        o.id(),
                        cityId,
                        Map.of("name", o.name(), "sector", o.sector().wire()))
                    .map(e -> o.toJson()));
  }

  private static <T> Future<T> duplicate(Throwable e, String code, String message) {
    return Future.failedFuture(Mongo.isDuplicateKey(e) ? ApiError.conflict(code, message) : e);
  }

  private static JsonObject items(java.util.List<JsonObject> items) {
    return new JsonObject().put("items", new JsonArray(items));
  }
}
