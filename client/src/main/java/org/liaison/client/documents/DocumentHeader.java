package org.liaison.client.documents;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/** A document's encrypted header: what lists show without opening it. */
public record DocumentHeader(String title, String template) {
  public byte[] encode() {
    return new JsonObject()
        .put("title", title)
        .put("template", template)
        .encode()
        .getBytes(StandardCharsets.UTF_8);
  }

  static DocumentHeader decode(byte[] json) {
    try {
      JsonObject parsed = new JsonObject(new String(json, StandardCharsets.UTF_8));
      return new DocumentHeader(
          parsed.getString("title", ""), parsed.getString("template", "liaison/blank"));
    } catch (RuntimeException e) {
      throw new DocumentException("malformed-header", "the header is not {title, template}");
    }
  }
}
