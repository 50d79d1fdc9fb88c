package org.liaison.crypto;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id (RFC 9106) over Bouncy Castle's lightweight generator. Used for password verifiers on
 * the server and for wrapping keys derived from recovery codes on clients.
 */
public final class Argon2id {
  private static final SecureRandom RANDOM = new SecureRandom();
  public static final int SALT_LENGTH = 16;

  /** Cost parameters; stored beside every hash so they can be raised without breaking old ones. */
  public record Cost(int memoryKiB, int iterations, int parallelism) {
    /** RFC 9106's second recommended option scaled to a shared 2-core server: 19 MiB, t=2. */
    public static final Cost INTERACTIVE = new Cost(19 * 1024, 2, 1);

    public Cost {
      if (memoryKiB < 8 * parallelism || iterations < 1 || parallelism < 1) {
        throw new IllegalArgumentException("Argon2id cost out of range");
      }
    }
  }

  private Argon2id() {}

  public static byte[] newSalt() {
    byte[] salt = new byte[SALT_LENGTH];
    RANDOM.nextBytes(salt);
    return salt;
  }

  /** Derives {@code length} bytes; {@code secret} and {@code associatedData} may be empty. */
  public static byte[] derive(
      byte[] password, byte[] salt, Cost cost, int length, byte[] secret, byte[] associatedData) {
    Argon2Parameters params =
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withSalt(salt)
            .withSecret(secret)
            .withAdditional(associatedData)
            .withMemoryAsKB(cost.memoryKiB())
            .withIterations(cost.iterations())
            .withParallelism(cost.parallelism())
            .build();
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(params);
    byte[] out = new byte[length];
    generator.generateBytes(password, out);
    return out;
  }

  public static byte[] derive(String password, byte[] salt, Cost cost, int length) {
    byte[] passwordBytes = password.getBytes(StandardCharsets.UTF_8);
    try {
      return derive(passwordBytes, salt, cost, length, new byte[0], new byte[0]);
    } finally {
      Arrays.fill(passwordBytes, (byte) 0);
    }
  }
}
