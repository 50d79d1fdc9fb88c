package org.liaison.crypto.safety;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.liaison.crypto.Ed25519;

class SafetyNumberTest {
  final byte[] aminaPhone = Ed25519.KeyPair.generate().publicKey();
  final byte[] aminaLaptop = Ed25519.KeyPair.generate().publicKey();
  final byte[] elenaBrowser = Ed25519.KeyPair.generate().publicKey();
  final SafetyNumber.Identity amina =
      new SafetyNumber.Identity("amina", List.of(aminaPhone, aminaLaptop));
  final SafetyNumber.Identity elena = new SafetyNumber.Identity("elena", List.of(elenaBrowser));

  @Test
  void bothSidesSeeTheSameSixtyDigits() {
    SafetyNumber seenByAmina = SafetyNumber.between(amina, elena);
    SafetyNumber seenByElena = SafetyNumber.between(elena, amina);
    assertEquals(seenByAmina.digits(), seenByElena.digits());
    assertTrue(seenByAmina.digits().matches("\\d{60}"));
    assertTrue(seenByAmina.grouped().matches("(\\d{5} ){11}\\d{5}"));
    assertTrue(seenByElena.matchesScanned(seenByAmina.qrPayload()));
  }

  @Test
  void theOrderOfDevicesDoesNotMatterButTheSetDoes() {
    SafetyNumber before = SafetyNumber.between(amina, elena);
    SafetyNumber reordered =
        SafetyNumber.between(
            new SafetyNumber.Identity("amina", List.of(aminaLaptop, aminaPhone)), elena);
    assertEquals(before.digits(), reordered.digits());
    SafetyNumber newDevice =
        SafetyNumber.between(
            new SafetyNumber.Identity(
                "amina", List.of(aminaPhone, aminaLaptop, Ed25519.KeyPair.generate().publicKey())),
            elena);
    assertNotEquals(before.digits(), newDevice.digits());
    assertFalse(newDevice.matchesScanned(before.qrPayload()));
  }

  @Test
  void aKeySwappedByTheServerChangesTheNumber() {
    SafetyNumber real = SafetyNumber.between(amina, elena);
    SafetyNumber.Identity impostor =
        new SafetyNumber.Identity("elena", List.of(Ed25519.KeyPair.generate().publicKey()));
    assertNotEquals(real.digits(), SafetyNumber.between(amina, impostor).digits());
  }
}
