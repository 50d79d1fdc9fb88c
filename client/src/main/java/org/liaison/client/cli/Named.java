package org.liaison.client.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/** A city or organisation the user named on the command line, found by id or by name. */
record Named(String id, String name) {

  /**
   * The one item {@code given} names among {@code items} (those {@code within} keeps): its id; else
   * its name in any case; else the one name that begins so. None or several: an error naming the
   * candidates, so the user can retype.
   */
  static Named pick(String what, String given, JsonArray items, Predicate<JsonObject> within) {
    List<Named> all =
        items.stream()
            .map(JsonObject.class::cast)
            .filter(within)
            .map(o -> new Named(o.getString("id"), o.getString("name")))
            .toList();
    String wanted = given.trim().toLowerCase(Locale.ROOT);
    for (Named n : all) {
      if (n.id().equals(given.trim())) {
        return n;
      }
    }
    List<Named> exact = all.stream().filter(n -> lower(n.name()).equals(wanted)).toList();
    if (exact.size() == 1) {
      return exact.get(0);
    }
    List<Named> prefixed =
        exact.isEmpty()
            ? all.stream().filter(n -> lower(n.name()).startsWith(wanted)).toList()
            : exact;
    if (prefixed.size() == 1 && !wanted.isEmpty()) {
      return prefixed.get(0);
    }
    if (prefixed.isEmpty() || wanted.isEmpty()) {
      throw new IllegalArgumentException(
          "no " + what + " named '" + given + "'" + choices(" (known: ", all));
    }
    throw new IllegalArgumentException(
        "'"
            + given
            + "' could be more than one "
            + what
            + choices(": ", prefixed)
            + "; type more of the name, or the id");
  }

  private static String lower(String name) {
    return name == null ? "" : name.toLowerCase(Locale.ROOT);
  }

  private static String choices(String lead, List<Named> candidates) {
    if (candidates.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder(lead);
    for (int i = 0; i < candidates.size(); i++) {
      if (i > 0) {
        out.append(", ");
      }
      out.append(candidates.get(i).name()).append(" [").append(candidates.get(i).id()).append("]");
    }
    return lead.startsWith(" (") ? out.append(")").toString() : out.toString();
  }
}
