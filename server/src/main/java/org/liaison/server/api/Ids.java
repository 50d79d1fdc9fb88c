package org.liaison.server.api;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Random identifiers: 128 bits, hex. Unguessable, so an id alone reveals nothing. */
public final class Ids {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Ids() {}

  public static String newId() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
