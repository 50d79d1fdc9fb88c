package org.liaison.client.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.liaison.client.AccessToken;

class AccessTokenTest {
  static String jwt(String payload) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return b64.encodeToString("{\"alg\":\"ES256\"}".getBytes(StandardCharsets.UTF_8))
        + "."
        + b64.encodeToString(payload.getBytes(StandardCharsets.UTF_8))
        + ".c2ln";
  }

  @Test
  void readsSessionAndUserWithoutVerifying() {
    String token = jwt("{\"sub\":\"u1\",\"sid\":\"0123abcd\",\"exp\":1}");
    assertEquals("0123abcd", AccessToken.sessionId(token));
    assertEquals("u1", AccessToken.userId(token));
  }

  @Test
  void refusesWhatIsNotAJwtWithASession() {
    assertThrows(IllegalArgumentException.class, () -> AccessToken.sessionId("abc"));
    assertThrows(
        IllegalArgumentException.class, () -> AccessToken.sessionId(jwt("{\"sub\":\"u\"}")));
    assertThrows(IllegalArgumentException.class, () -> AccessToken.sessionId("a.!!!.c"));
  }
}
