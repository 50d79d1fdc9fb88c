package org.liaison.server.accounts;

import io.vertx.core.json.JsonObject;
import java.util.Optional;
import java.util.Set;
import org.liaison.server.api.ApiError;
import org.liaison.server.api.Fields;

/**
 * The one rule for a user's {@code preferredLanguage}, at registration and when the user changes it
 * later.
 */
public final class Languages {
  /** Languages the network writes in; the web client falls back to English for the rest. */
  public static final Set<String> SUPPORTED =
      Set.of("en", "ar", "fr", "sq", "mk", "sr", "bs", "me", "ur", "sw");

  public static final String DEFAULT = "en";

  private Languages() {}

  /**
   * The field as given: empty when absent or blank, else one of {@link #SUPPORTED}, or a 400 {@code
   * validation-failed} naming the field.
   */
  public static Optional<String> optional(JsonObject body, String field) {
    Optional<String> language = Fields.optionalText(body, field, 8);
    if (language.isPresent() && !SUPPORTED.contains(language.get())) {
      throw ApiError.invalidField(field, field + " is not supported");
    }
    return language;
  }
}
