package org.liaison.server.api;

import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/** Field-level validation of request bodies; every failure names its field. */
public final class Fields {
  private static final Pattern EMAIL = Pattern.compile("^[^@\\s]{1,64}@[^@\\s]+\\.[^@\\s]{2,}$");

  private Fields() {}

  public static String requiredText(JsonObject body, String field, int maxLength) {
    return optionalText(body, field, maxLength)
        .orElseThrow(() -> ApiError.invalidField(field, field + " is required"));
  }

  public static Optional<String> optionalText(JsonObject body, String field, int maxLength) {
    Object value = body.getValue(field);
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof String text)) {
      throw ApiError.invalidField(field, field + " must be a string");
    }
    String trimmed = text.strip();
    if (trimmed.isEmpty()) {
      return Optional.empty();
    }
    if (trimmed.length() > maxLength) {
      throw ApiError.invalidField(field, field + " must be at most " + maxLength + " characters");
    }
    return Optional.of(trimmed);
  }

  /** Addresses are compared lower-cased: one person, one account. */
  public static String email(JsonObject body, String field) {
    String email = requiredText(body, field, 254).toLowerCase(Locale.ROOT);
    if (!EMAIL.matcher(email).matches()) {
      throw ApiError.invalidField(field, field + " is not an e-mail address");
    }
    return email;
  }

  /** A value from a closed set, parsed by {@code parse} (which throws on unknown values). */
  public static <T> T oneOf(
      JsonObject body, String field, Function<String, T> parse, String allowed) {
    String raw = requiredText(body, field, 64);
    try {
      return parse.apply(raw);
    } catch (IllegalArgumentException e) {
      throw ApiError.invalidField(field, field + " must be one of " + allowed);
    }
  }

  /** A path or query id: our ids are 32 hex characters; anything else cannot exist. */
  public static String id(String raw, String what) {
    if (raw == null || !raw.matches("^[0-9a-f]{32}$")) {
      throw ApiError.notFound(what + "-not-found", "No such " + what.replace('-', ' '));
    }
    return raw;
  }

  /** A whole-number query parameter in {@code min..max}; {@code fallback} when absent. */
  public static long queryLong(
      io.vertx.ext.web.RoutingContext ctx, String name, long fallback, long min, long max) {
    String raw = ctx.queryParams().get(name);
    if (raw == null || raw.isBlank()) {
      return fallback;
    }
    try {
      long value = Long.parseLong(raw);
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ApiError.invalidField(name, name + " must be a whole number in " + min + ".." + max);
  }

  /**
   * A whole number {@code >= 0} (an epoch or a seq) at {@code field}; a dotted field such as {@code
   * meta.epoch} names the nested field in the error and reads its last part.
   */
  public static long wholeNumber(JsonObject body, String field) {
    String key = field.contains(".") ? field.substring(field.lastIndexOf('.') + 1) : field;
    Object value = body.getValue(key);
    if (!(value instanceof Number n) || n.longValue() < 0 || n.doubleValue() != n.longValue()) {
      throw ApiError.invalidField(field, field + " must be a whole number >= 0");
    }
    return n.longValue();
  }
}
