package org.liaison.crypto.mls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.liaison.crypto.Ed25519;
import org.liaison.crypto.mls.KeyPackageCheck.Mismatch;
import org.liaison.crypto.mls.MlsException.Reason;

class KeyPackageCheckTest {
  final DeviceIdentity bob = DeviceIdentity.generate("bob", "phone");

  static void refused(Reason reason, org.junit.jupiter.api.function.Executable action) {
    MlsException e = assertThrows(MlsException.class, action);
    assertEquals(reason, e.reason(), e.getMessage());
  }

  @Test
  void aDevicesOwnKeyPackageIsItsOwn() {
    byte[] bytes = ChannelSession.newKeyPackage(bob).publicBytes();
    ChannelSession.KeyPackageInfo info = KeyPackageCheck.inspect(bytes);
    assertEquals(ChannelSession.DEFAULT_SUITE, info.cipherSuite());
    assertEquals("bob", info.credential().userId());
    assertEquals("phone", info.credential().deviceId());
    assertArrayEquals(bob.signaturePublicKey(), info.signatureKey());
    assertEquals(
        Optional.empty(), KeyPackageCheck.mismatch(info, "bob", "phone", bob.signaturePublicKey()));
  }

  @Test
  void aKeyPackageNamingAnotherUserOrDeviceIsNotThisDevices() {
    ChannelSession.KeyPackageInfo info =
        KeyPackageCheck.inspect(ChannelSession.newKeyPackage(bob).publicBytes());
    byte[] key = bob.signaturePublicKey();
    assertEquals(
        Optional.of(Mismatch.OTHER_DEVICE), KeyPackageCheck.mismatch(info, "alice", "phone", key));
    assertEquals(
        Optional.of(Mismatch.OTHER_DEVICE), KeyPackageCheck.mismatch(info, "bob", "laptop", key));
    // The credential is compared first: another device and another key says "another device".
    assertEquals(
        Optional.of(Mismatch.OTHER_DEVICE),
        KeyPackageCheck.mismatch(info, "alice", "phone", new byte[32]));
  }

  @Test
  void aKeyPackageWithTheRightNamesButAnotherKeyIsNotThisDevices() {
    DeviceIdentity impostor =
        new DeviceIdentity("bob", "phone", Ed25519.KeyPair.generate(), Optional.empty());
    ChannelSession.KeyPackageInfo info =
        KeyPackageCheck.inspect(ChannelSession.newKeyPackage(impostor).publicBytes());
    assertEquals(
        Optional.of(Mismatch.OTHER_KEY),
        KeyPackageCheck.mismatch(info, "bob", "phone", bob.signaturePublicKey()));
  }

  @Test
  void forgedMalformedAndOtherMessagesAreRefusedAlikeByTheDirectoryAndByAdd() {
    byte[] good = ChannelSession.newKeyPackage(bob).publicBytes();
    byte[] forged = good.clone();
    forged[forged.length - 1] ^= 1; // inside the signature
    byte[] garbage = "not an MLS message".getBytes(StandardCharsets.UTF_8);
    byte[] groupInfo =
        ChannelSession.create(bob, "channel".getBytes(StandardCharsets.UTF_8), Trust.anyone())
            .groupInfo();
    ChannelSession alice =
        ChannelSession.create(
            DeviceIdentity.generate("alice", "laptop"),
            "channel".getBytes(StandardCharsets.UTF_8),
            Trust.anyone());

    refused(Reason.REJECTED, () -> KeyPackageCheck.inspect(forged));
    refused(Reason.REJECTED, () -> alice.add(List.of(forged)));
    refused(Reason.MALFORMED, () -> KeyPackageCheck.inspect(garbage));
    refused(Reason.MALFORMED, () -> alice.add(List.of(garbage)));
    refused(Reason.MALFORMED, () -> KeyPackageCheck.inspect(groupInfo));
    refused(Reason.MALFORMED, () -> alice.add(List.of(groupInfo)));
  }
}
