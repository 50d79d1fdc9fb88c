package org.liaison.crypto.backup;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Locale;
import org.liaison.crypto.Argon2id;
import org.liaison.crypto.Labels;

/**
 * The recovery code a member writes down once, and the key that wraps their key backup. The code
 * carries 130 random bits in 26 Crockford base-32 characters (no I, L, O or U, so it survives being
 * read aloud or copied by hand); Argon2id with the backup's own salt makes each guess cost.
 */
public final class RecoveryKey {
  private static final String ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  private static final int CHARACTERS = 26;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Stronger than a login: it is computed on the member's device, once per restore. */
  public static final Argon2id.Cost COST = new Argon2id.Cost(64 * 1024, 3, 1);

  private RecoveryKey() {}

  /** A new code, as shown to the member: groups of 4 separated by dashes. */
  public static String newCode() {
    StringBuilder code = new StringBuilder();
    for (int i = 0; i < CHARACTERS; i++) {
      if (i > 0 && i % 4 == 0) {
        code.append('-');
      }
      code.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return code.toString();
  }

  /**
   * The code as typed back: case, spaces and dashes do not matter, and the look-alikes O, I and L
   * are read as 0, 1 and 1. Throws if what remains is not a code.
   */
  public static String normalise(String typed) {
    StringBuilder out = new StringBuilder();
    for (char c : typed.toUpperCase(Locale.ROOT).toCharArray()) {
      if (c == '-' || Character.isWhitespace(c)) {
        continue;
      }
      char mapped = c == 'O' ? '0' : (c == 'I' || c == 'L') ? '1' : c;
      if (ALPHABET.indexOf(mapped) < 0) {
        throw new IllegalArgumentException("not a recovery code character");
      }
      out.append(mapped);
    }
    if (out.length() != CHARACTERS) {
      throw new IllegalArgumentException("a recovery code has " + CHARACTERS + " characters");
    }
    return out.toString();
  }

  /** The 32-byte key that encrypts the key backup, bound to its purpose by the label. */
  public static byte[] wrappingKey(String code, byte[] salt, Argon2id.Cost cost) {
    return Argon2id.derive(
        normalise(code).getBytes(StandardCharsets.US_ASCII),
        salt,
        cost,
        32,
        new byte[0],
        Labels.KEY_BACKUP.getBytes(StandardCharsets.US_ASCII));
  }
}
