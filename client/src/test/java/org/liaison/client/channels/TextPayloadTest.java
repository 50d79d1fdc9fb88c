package org.liaison.client.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class TextPayloadTest {
  final Instant at = Instant.parse("2026-11-23T10:00:00Z");

  @Test
  void padsToMultiplesOf256AndRoundTrips() {
    assertEquals(256, TextPayload.text("hi", at).encode().length);
    assertEquals(512, TextPayload.text("x".repeat(300), at).encode().length);
    TextPayload back = TextPayload.decode(TextPayload.text("grüße, \u0000 and all", at).encode());
    assertEquals("grüße, \u0000 and all", back.body());
    assertEquals(at, back.sentAt());
    assertEquals("text", back.type());
  }

  @Test
  void lengthsThatDifferOnlyWithinABlockLookTheSame() {
    assertEquals(
        TextPayload.text("a", at).encode().length,
        TextPayload.text("a".repeat(150), at).encode().length);
  }

  @Test
  void refusesUnpaddedOrBrokenPayloads() {
    assertThrows(IllegalArgumentException.class, () -> TextPayload.decode(new byte[10]));
    assertThrows(IllegalArgumentException.class, () -> TextPayload.decode(new byte[256]));
    byte[] notJson = new byte[256];
    notJson[0] = '{';
    assertThrows(IllegalArgumentException.class, () -> TextPayload.decode(notJson));
  }
}
