package org.liaison.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class Argon2idTest {
  private static final HexFormat HEX = HexFormat.of();

  private static byte[] filled(int length, int value) {
    byte[] bytes = new byte[length];
    Arrays.fill(bytes, (byte) value);
    return bytes;
  }

  /** RFC 9106 section 5.3: the Argon2id test vector (version 0x13). */
  @Test
  void matchesRfc9106TestVector() {
    byte[] tag =
        Argon2id.derive(
            filled(32, 0x01),
            filled(16, 0x02),
            new Argon2id.Cost(32, 3, 4),
            32,
            filled(8, 0x03),
            filled(12, 0x04));
    assertArrayEquals(
        HEX.parseHex("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659"), tag);
  }

  @Test
  void differentSaltsGiveDifferentKeys() {
    Argon2id.Cost cheap = new Argon2id.Cost(64, 1, 1);
    byte[] a = Argon2id.derive("correct horse battery", Argon2id.newSalt(), cheap, 32);
    byte[] b = Argon2id.derive("correct horse battery", Argon2id.newSalt(), cheap, 32);
    assertFalse(ConstantTime.equal(a, b));
  }

  @Test
  void rejectsNonsenseCost() {
    assertThrows(IllegalArgumentException.class, () -> new Argon2id.Cost(4, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new Argon2id.Cost(64, 0, 1));
  }
}
