package org.liaison.crypto.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.liaison.crypto.Argon2id;

class RecoveryKeyTest {
  static final Argon2id.Cost CHEAP = new Argon2id.Cost(64, 1, 1);

  @Test
  void codesAreGroupedAndFreeOfLookAlikes() {
    String code = RecoveryKey.newCode();
    assertTrue(
        code.matches("[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){5}-[0-9A-HJKMNP-TV-Z]{2}"),
        code);
    assertNotEquals(code, RecoveryKey.newCode());
  }

  @Test
  void theCodeTypedCarelesslyGivesTheSameKey() {
    String code = RecoveryKey.newCode();
    byte[] salt = Argon2id.newSalt();
    byte[] key = RecoveryKey.wrappingKey(code, salt, CHEAP);
    String typed =
        " " + code.toLowerCase().replace("-", " ").replace('0', 'o').replace('1', 'l') + " ";
    assertArrayEquals(key, RecoveryKey.wrappingKey(typed, salt, CHEAP));
  }

  @Test
  void anotherCodeOrSaltGivesAnotherKey() {
    String code = RecoveryKey.newCode();
    byte[] salt = Argon2id.newSalt();
    byte[] key = RecoveryKey.wrappingKey(code, salt, CHEAP);
    assertFalse(Arrays.equals(key, RecoveryKey.wrappingKey(code, Argon2id.newSalt(), CHEAP)));
    assertFalse(Arrays.equals(key, RecoveryKey.wrappingKey(RecoveryKey.newCode(), salt, CHEAP)));
  }

  @Test
  void somethingThatIsNotACodeIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> RecoveryKey.normalise("too short"));
    assertThrows(
        IllegalArgumentException.class,
        () -> RecoveryKey.normalise("UUUU-UUUU-UUUU-UUUU-UUUU-UUUU-UU"));
  }
}
