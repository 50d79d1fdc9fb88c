package org.liaison.server.broadcasts;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bson.Document;
import org.bson.types.Binary;
import org.liaison.server.api.Base64Field;

/**
 * One broadcast as the server keeps it ({@code broadcasts}, {@code _id} = its id): the signed
 * header and its signature, the author's proof, the sealed content, the audience as the header
 * states it, and what the server counted at the send. Nothing in it is readable without a wrap.
 */
record BroadcastRecord(
    String id,
    long n,
    String authorUserId,
    String authorDeviceId,
    Audience audience,
    byte[] header,
    byte[] signature,
    byte[] proofChain,
    byte[] proofCoordinator,
    byte[] content,
    byte[] contentHash,
    Instant createdAt,
    Optional<String> resendOf,
    String original,
    Optional<String> only,
    int pages,
    int users,
    int devices,
    int missing,
    Map<String, Integer> perCity,
    List<Reminder> reminders,
    Map<String, Integer> ackHint) {

  /** A signed reminder, and when the server took it. */
  record Reminder(int n, long at, byte[] signature, Instant receivedAt) {
    JsonObject toJson() {
      return new JsonObject()
          .put("n", n)
          .put("at", at)
          .put("signature", Base64Field.encode(signature))
          .put("receivedAt", receivedAt.toString());
    }
  }

  /** The key under which users with no city are counted (store field names cannot be null). */
  static final String NO_CITY = "-";

  static String cityKey(String cityId) {
    return cityId == null ? NO_CITY : cityId;
  }

  static String cityOf(String key) {
    return NO_CITY.equals(key) ? null : key;
  }

  boolean isResend() {
    return resendOf.isPresent();
  }

  int acknowledgedHint() {
    return ackHint.values().stream().mapToInt(Integer::intValue).sum();
  }

  Document toDocument() {
    Document perCityDoc = new Document();
    perCity.forEach(perCityDoc::append);
    return new Document("_id", id)
        .append("authorUserId", authorUserId)
        .append("authorDeviceId", authorDeviceId)
        .append("audience", audience.toDocument())
        .append("header", new Binary(header))
        .append("signature", new Binary(signature))
        .append("proofChain", new Binary(proofChain))
        .append("proofCoordinator", new Binary(proofCoordinator))
        .append("content", new Binary(content))
        .append("contentHash", new Binary(contentHash))
        .append("createdAt", Date.from(createdAt))
        .append("resendOf", resendOf.orElse(null))
        .append("original", original)
        .append("only", only.orElse(null))
        .append("pages", pages)
        .append(
            "recipients",
            new Document("users", users)
                .append("devices", devices)
                .append("missing", missing)
                .append("perCity", perCityDoc))
        .append("reminders", new ArrayList<Document>())
        .append("ackHint", new Document());
  }

  static BroadcastRecord fromDocument(Document d) {
    Document recipients = d.get("recipients", Document.class);
    Map<String, Integer> perCity = counts(recipients.get("perCity", Document.class));
    List<Reminder> reminders = new ArrayList<>();
    List<Document> stored = d.getList("reminders", Document.class);
    if (stored != null) {
      for (Document r : stored) {
        reminders.add(
            new Reminder(
                r.get("n", Number.class).intValue(),
                r.get("at", Number.class).longValue(),
                r.get("signature", Binary.class).getData(),
                r.getDate("receivedAt").toInstant()));
      }
    }
    Number n = d.get("n", Number.class);
    return new BroadcastRecord(
        d.getString("_id"),
        n == null ? 0 : n.longValue(),
        d.getString("authorUserId"),
        d.getString("authorDeviceId"),
        Audience.fromDocument(d.get("audience", Document.class)),
        bytes(d, "header"),
        bytes(d, "signature"),
        bytes(d, "proofChain"),
        bytes(d, "proofCoordinator"),
        bytes(d, "content"),
        bytes(d, "contentHash"),
        d.getDate("createdAt").toInstant(),
        Optional.ofNullable(d.getString("resendOf")),
        d.getString("original"),
        Optional.ofNullable(d.getString("only")),
        d.get("pages", Number.class).intValue(),
        recipients.get("users", Number.class).intValue(),
        recipients.get("devices", Number.class).intValue(),
        recipients.get("missing", Number.class).intValue(),
        perCity,
        reminders,
        counts(d.get("ackHint", Document.class)));
  }

  private static Map<String, Integer> counts(Document d) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    if (d != null) {
      d.forEach((k, v) -> counts.put(k, ((Number) v).intValue()));
    }
    return counts;
  }

  private static byte[] bytes(Document d, String field) {
    Binary b = d.get(field, Binary.class);
    return b == null ? new byte[0] : b.getData();
  }

  /** What every reader of the broadcast gets: header, signature, proof, and (small) content. */
  JsonObject shared(boolean withContent) {
    JsonObject json =
        new JsonObject()
            .put("n", n)
            .put("id", id)
            .put("header", Base64Field.encode(header))
            .put("signature", Base64Field.encode(signature))
            .put(
                "authorProof",
                new JsonObject()
                    .put("chain", Base64Field.encode(proofChain))
                    .put("coordinator", Base64Field.encode(proofCoordinator)))
            .put("createdAt", createdAt.toString())
            .put("resendOf", resendOf.orElse(null))
            .put("reminders", new JsonArray(reminders.stream().map(Reminder::toJson).toList()));
    if (withContent) {
      json.put("content", Base64Field.encode(content));
    }
    return json;
  }

  /** The author's list view: counts at the send and the acknowledgement hint (status is exact). */
  JsonObject sentSummary() {
    JsonArray cities = new JsonArray();
    perCity.forEach(
        (city, count) ->
            cities.add(
                new JsonObject()
                    .put("cityId", cityOf(city))
                    .put("users", count)
                    .put("acknowledged", ackHint.getOrDefault(city, 0))));
    return new JsonObject()
        .put("id", id)
        .put("n", n)
        .put("header", Base64Field.encode(header))
        .put("signature", Base64Field.encode(signature))
        .put("audience", audience.toJson())
        .put("createdAt", createdAt.toString())
        .put("resendOf", resendOf.orElse(null))
        .put("only", only.orElse(null))
        .put("recipients", users)
        .put("devices", devices)
        .put("missing", missing)
        .put("acknowledged", acknowledgedHint())
        .put("perCity", cities)
        .put("reminders", reminders.size());
  }
}
