package org.liaison.crypto.mls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.liaison.crypto.Labels;
import org.liaison.crypto.codec.CanonicalWriter;
import org.liaison.crypto.codec.DecodeException;

class ChannelPolicyTest {
  static SortedSet<String> sectors(String... names) {
    return new TreeSet<>(List.of(names));
  }

  final ChannelPolicy policy =
      new ChannelPolicy(2, sectors("youth-work", "civil-society"), 90, false);

  @Test
  void admitsByTierAndSector() {
    assertTrue(policy.admits(2, "youth-work"));
    assertTrue(policy.admits(3, "civil-society"));
    assertFalse(policy.admits(1, "youth-work"));
    assertFalse(policy.admits(3, "law-enforcement"));
    ChannelPolicy open = new ChannelPolicy(0, sectors(), 30, true);
    assertTrue(open.admits(0, "law-enforcement"), "empty sectors: every sector");
  }

  @Test
  void describesItselfInOneLine() {
    assertEquals("T2 · sectors: civil-society, youth-work · 90 days", policy.describe());
    assertEquals(
        "T0 · all sectors · 1 day · history on join",
        new ChannelPolicy(0, sectors(), 1, true).describe());
  }

  @Test
  void validatesItsFields() {
    assertThrows(IllegalArgumentException.class, () -> new ChannelPolicy(4, sectors(), 90, false));
    assertThrows(IllegalArgumentException.class, () -> new ChannelPolicy(-1, sectors(), 90, false));
    assertThrows(IllegalArgumentException.class, () -> new ChannelPolicy(1, sectors(), 0, false));
    assertThrows(
        IllegalArgumentException.class, () -> new ChannelPolicy(1, sectors(), 3651, false));
    assertThrows(IllegalArgumentException.class, () -> new ChannelPolicy(1, null, 90, false));
    for (String bad : List.of("", "Youth", "youth_work", "jugend-ä", "a".repeat(65))) {
      assertThrows(
          IllegalArgumentException.class, () -> new ChannelPolicy(1, sectors(bad), 90, false), bad);
    }
    new ChannelPolicy(1, sectors("a".repeat(64)), 3650, false);
  }

  @Test
  void keepsItsOwnSortedUnmodifiableCopy() {
    TreeSet<String> reversed = new TreeSet<>(Collections.reverseOrder());
    reversed.addAll(List.of("a", "c", "b"));
    ChannelPolicy p = new ChannelPolicy(1, reversed, 90, false);
    reversed.add("d");
    assertEquals(List.of("a", "b", "c"), List.copyOf(p.allowedSectors()));
    assertThrows(UnsupportedOperationException.class, () -> p.allowedSectors().add("e"));
    assertEquals(p, new ChannelPolicy(1, sectors("c", "b", "a"), 90, false));
  }

  @Test
  void encodesCanonicallyAndRoundTrips() {
    byte[] bytes = policy.encode();
    assertEquals(
        "01" + "02" + "005a" + "00" + "02" + "0d" + hex("civil-society") + "0a" + hex("youth-work"),
        HexFormat.of().formatHex(bytes));
    assertEquals(policy, ChannelPolicy.decode(bytes));
    ChannelPolicy open = new ChannelPolicy(0, sectors(), 3650, true);
    assertEquals(open, ChannelPolicy.decode(open.encode()));
  }

  @Test
  void refusesAnythingButTheCanonicalEncoding() {
    byte[] good = policy.encode();
    List<byte[]> bad =
        List.of(
            new byte[0],
            Arrays.copyOf(good, good.length + 1), // trailing byte
            Arrays.copyOf(good, good.length - 1), // truncated
            with(good, 0, 2), // version
            with(good, 1, 4), // tier
            with(good, 2, 0x0e), // retention 3674 days
            with(with(good, 2, 0), 3, 0), // retention 0
            with(good, 4, 2), // history flag
            with(good, 5, 3), // more sectors than present
            new CanonicalWriter() // sectors out of order
                .u8(1)
                .u8(2)
                .u16(90)
                .u8(0)
                .u8(2)
                .text8("youth-work")
                .text8("civil-society")
                .toByteArray(),
            new CanonicalWriter() // duplicate sector
                .u8(1)
                .u8(2)
                .u16(90)
                .u8(0)
                .u8(2)
                .text8("youth-work")
                .text8("youth-work")
                .toByteArray(),
            new CanonicalWriter() // invalid sector characters
                .u8(1)
                .u8(2)
                .u16(90)
                .u8(0)
                .u8(1)
                .text8("Youth")
                .toByteArray(),
            new CanonicalWriter() // empty sector
                .u8(1)
                .u8(2)
                .u16(90)
                .u8(0)
                .u8(1)
                .text8("")
                .toByteArray());
    for (byte[] bytes : bad) {
      assertThrows(
          DecodeException.class,
          () -> ChannelPolicy.decode(bytes),
          HexFormat.of().formatHex(bytes));
    }
    assertThrows(DecodeException.class, () -> ChannelPolicy.decode(null));
  }

  @Test
  void theGroupIdCarriesTheChannelIdAndPolicy() {
    ChannelGroupId id = ChannelGroupId.create(policy);
    assertEquals(16, id.channelId().length);
    assertTrue(id.channelIdHex().matches("[0-9a-f]{32}"));
    byte[] bytes = id.encode();
    assertEquals(
        HexFormat.of()
            .formatHex(
                new CanonicalWriter()
                    .text8(Labels.CHANNEL)
                    .opaque8(id.channelId())
                    .opaque16(policy.encode())
                    .toByteArray()),
        HexFormat.of().formatHex(bytes));
    ChannelGroupId back = ChannelGroupId.decode(bytes);
    assertEquals(id, back);
    assertEquals(id.channelIdHex(), back.channelIdHex());
    assertEquals(policy, back.policy());
    assertFalse(
        Arrays.equals(id.channelId(), ChannelGroupId.create(policy).channelId()), "random ids");
  }

  @Test
  void theGroupIdRefusesAnythingElse() {
    byte[] id = new byte[16];
    byte[] good = new ChannelGroupId(id, policy).encode();
    List<byte[]> bad =
        List.of(
            new byte[0],
            "channel-0001".getBytes(java.nio.charset.StandardCharsets.UTF_8),
            Arrays.copyOf(good, good.length + 1),
            Arrays.copyOf(good, good.length - 1),
            new CanonicalWriter() // another label
                .text8("liaison/v1/channel-meta")
                .opaque8(id)
                .opaque16(policy.encode())
                .toByteArray(),
            new CanonicalWriter() // a 15-byte id
                .text8(Labels.CHANNEL)
                .opaque8(new byte[15])
                .opaque16(policy.encode())
                .toByteArray(),
            new CanonicalWriter() // a 17-byte id
                .text8(Labels.CHANNEL)
                .opaque8(new byte[17])
                .opaque16(policy.encode())
                .toByteArray(),
            new CanonicalWriter() // a policy with a trailing byte inside its length
                .text8(Labels.CHANNEL)
                .opaque8(id)
                .opaque16(Arrays.copyOf(policy.encode(), policy.encode().length + 1))
                .toByteArray(),
            new CanonicalWriter() // a policy length beyond the bytes present
                .text8(Labels.CHANNEL)
                .opaque8(id)
                .u16(60000)
                .toByteArray());
    for (byte[] bytes : bad) {
      assertThrows(
          DecodeException.class,
          () -> ChannelGroupId.decode(bytes),
          HexFormat.of().formatHex(bytes));
    }
    assertThrows(IllegalArgumentException.class, () -> new ChannelGroupId(new byte[15], policy));
    assertThrows(IllegalArgumentException.class, () -> new ChannelGroupId(id, null));
  }

  @Test
  void theGroupIdIsACopy() {
    byte[] id = new byte[16];
    ChannelGroupId groupId = new ChannelGroupId(id, policy);
    id[0] = 1;
    groupId.channelId()[1] = 1;
    assertArrayEquals(new byte[16], groupId.channelId());
  }

  static String hex(String text) {
    return HexFormat.of().formatHex(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  static byte[] with(byte[] bytes, int index, int value) {
    byte[] copy = bytes.clone();
    copy[index] = (byte) value;
    return copy;
  }
}
