package org.liaison.client.channels;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * The plaintext of an application message: {@code {"type":"text","body":…,"sentAt":…}} as UTF-8
 * JSON, then zero bytes up to a multiple of {@value #BLOCK} bytes, so ciphertext sizes reveal only
 * a coarse length (docs/protocol.md, "What the server learns"). JSON text never ends in a zero
 * byte, so the padding is unambiguous.
 */
public record TextPayload(String type, String body, Instant sentAt) {
  public static final int BLOCK = 256;

  public static TextPayload text(String body, Instant sentAt) {
    return new TextPayload("text", body, sentAt);
  }

  public byte[] encode() {
    byte[] json =
        new JsonObject()
            .put("type", type)
            .put("body", body)
            .put("sentAt", sentAt.toString())
            .encode()
            .getBytes(StandardCharsets.UTF_8);
    int padded = Math.max(BLOCK, (json.length + BLOCK - 1) / BLOCK * BLOCK);
    return Arrays.copyOf(json, padded);
  }

  /** Decodes a padded payload; throws {@link IllegalArgumentException} on anything else. */
  public static TextPayload decode(byte[] padded) {
    if (padded.length == 0 || padded.length % BLOCK != 0) {
      throw new IllegalArgumentException("payload is not padded to " + BLOCK + " bytes");
    }
    int end = padded.length;
    while (end > 0 && padded[end - 1] == 0) {
      end--;
    }
    try {
      JsonObject json = new JsonObject(new String(padded, 0, end, StandardCharsets.UTF_8));
      String type = json.getString("type");
      String body = json.getString("body");
      String sentAt = json.getString("sentAt");
      if (type == null || body == null || sentAt == null) {
        throw new IllegalArgumentException("payload lacks type, body or sentAt");
      }
      return new TextPayload(type, body, Instant.parse(sentAt));
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("unreadable payload: " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "TextPayload[" + type + ", " + body.length() + " chars]";
  }
}
