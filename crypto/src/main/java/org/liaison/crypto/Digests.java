package org.liaison.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Hashes used as lookup keys for high-entropy secrets (tokens, invitation codes). */
public final class Digests {
  private Digests() {}

  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /**
   * Hex SHA-256 of a UTF-8 string. Only for values with at least 128 random bits: low-entropy
   * secrets such as passwords need {@link Argon2id}.
   */
  public static String sha256Hex(String value) {
    return HexFormat.of().formatHex(sha256().digest(value.getBytes(StandardCharsets.UTF_8)));
  }
}
