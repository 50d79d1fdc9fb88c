package org.liaison.server;

import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.List;

/** The routes a node serves, for the contract test that holds them against the OpenAPI file. */
final class RouteTable {
  private RouteTable() {}

  /** "METHOD /path" of every API and operations route, as the OpenAPI document must list them. */
  static List<String> of(Router root, Router api) {
    List<String> table = new ArrayList<>();
    for (Route route : api.getRoutes()) {
      if (route.getPath() != null && route.methods() != null) {
        route.methods().forEach(m -> table.add(m.name() + " /api/v1" + route.getPath()));
      }
    }
    for (Route route : root.getRoutes()) {
      // The API router's routes are listed above; the root holds operations and the realtime
      // upgrade, which is mounted there to run before the API's body handler.
      if (route.getPath() != null && route.methods() != null) {
        route.methods().forEach(m -> table.add(m.name() + " " + route.getPath()));
      }
    }
    return List.copyOf(table);
  }
}
