package org.liaison.crypto.mls;

import org.bouncycastle.mls.KeyGeneration;
import org.bouncycastle.mls.KeyScheduleEpoch;
import org.bouncycastle.mls.protocol.Group;
import org.liaison.crypto.codec.DecodeException;

/**
 * Finds which leaf sent an application message. bcmls verifies the sender's signature in {@code
 * unprotect} but does not return the sender; trusting a name inside the plaintext would let one
 * member speak as another. So the encrypted sender data (RFC 9420, section 6.3.2) is opened here
 * with the epoch's sender-data secret, exactly as bcmls does before verifying against that leaf.
 */
final class PrivateMessageSender {
  private static final int MLS10 = 1;
  private static final int PRIVATE_MESSAGE = 2;
  private static final int MAX_FIELD = 1 << 20;

  private PrivateMessageSender() {}

  /** The fields of an MLSMessage(private_message), read from its wire bytes. */
  record Fields(
      byte[] groupId, long epoch, int contentType, byte[] encryptedSenderData, byte[] ciphertext) {}

  static Fields parse(byte[] wire) {
    Reader in = new Reader(wire);
    if (in.u16() != MLS10 || in.u16() != PRIVATE_MESSAGE) {
      throw new DecodeException("not an MLS 1.0 private message");
    }
    byte[] groupId = in.vector();
    long epoch = in.u64();
    int contentType = in.u8();
    in.vector(); // authenticated_data
    byte[] encryptedSenderData = in.vector();
    byte[] ciphertext = in.vector();
    in.end();
    return new Fields(groupId, epoch, contentType, encryptedSenderData, ciphertext);
  }

  static int leafIndex(Group group, Fields fields) throws Exception {
    var suite = group.getSuite();
    KeyGeneration keys =
        KeyScheduleEpoch.senderDataKeys(
            suite,
            group.getKeySchedule().senderDataSecret.value().clone(),
            fields.ciphertext().clone());
    byte[] aad = senderDataAad(fields);
    byte[] senderData =
        suite.getAEAD().open(keys.key, keys.nonce, aad, fields.encryptedSenderData());
    if (senderData.length < 4) {
      throw new DecodeException("short sender data");
    }
    return ((senderData[0] & 0xFF) << 24)
        | ((senderData[1] & 0xFF) << 16)
        | ((senderData[2] & 0xFF) << 8)
        | (senderData[3] & 0xFF);
  }

  /** struct { opaque group_id&lt;V&gt;; uint64 epoch; ContentType content_type; } SenderDataAAD */
  private static byte[] senderDataAad(Fields fields) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    int length = fields.groupId().length;
    if (length < 64) {
      out.write(length);
    } else if (length < 16384) {
      out.write(0x40 | (length >>> 8));
      out.write(length);
    } else {
      throw new DecodeException("group id too long");
    }
    out.write(fields.groupId(), 0, length);
    for (int shift = 56; shift >= 0; shift -= 8) {
      out.write((int) (fields.epoch() >>> shift));
    }
    out.write(fields.contentType());
    return out.toByteArray();
  }

  /** MLS wire reader: big-endian integers and variable-length-prefixed vectors (RFC 9000 style). */
  private static final class Reader {
    private final byte[] in;
    private int position;

    Reader(byte[] in) {
      this.in = in;
    }

    private void need(long count) {
      if (count < 0 || in.length - position < count) {
        throw new DecodeException("truncated MLS message");
      }
    }

    int u8() {
      need(1);
      return in[position++] & 0xFF;
    }

    int u16() {
      return (u8() << 8) | u8();
    }

    long u64() {
      long value = 0;
      for (int i = 0; i < 8; i++) {
        value = (value << 8) | u8();
      }
      return value;
    }

    byte[] vector() {
      int first = u8();
      long length;
      switch (first >>> 6) {
        case 0 -> length = first & 0x3F;
        case 1 -> length = ((first & 0x3F) << 8) | u8();
        case 2 -> length = ((long) (first & 0x3F) << 24) | ((long) u8() << 16) | (u8() << 8) | u8();
        default -> throw new DecodeException("invalid MLS length prefix");
      }
      if (length > MAX_FIELD) {
        throw new DecodeException("MLS field too long");
      }
      need(length);
      byte[] value = java.util.Arrays.copyOfRange(in, position, position + (int) length);
      position += (int) length;
      return value;
    }

    void end() {
      if (position != in.length) {
        throw new DecodeException("trailing bytes after MLS message");
      }
    }
  }
}
