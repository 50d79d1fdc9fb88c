package org.liaison.crypto.codec;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads {@link CanonicalWriter} encodings from untrusted bytes. Every length is checked against the
 * bytes actually present (and the caller's cap) before anything is allocated, so a forged length
 * prefix cannot make it allocate more than the input.
 */
public final class CanonicalReader {
  private final byte[] in;
  private int position;

  public CanonicalReader(byte[] in) {
    this.in = in;
  }

  private void need(int count, String what) {
    if (count < 0 || in.length - position < count) {
      throw new DecodeException("truncated " + what);
    }
  }

  public int u8(String what) {
    need(1, what);
    return in[position++] & 0xFF;
  }

  public int u16(String what) {
    need(2, what);
    int value = ((in[position] & 0xFF) << 8) | (in[position + 1] & 0xFF);
    position += 2;
    return value;
  }

  public long u64(String what) {
    need(8, what);
    long value = 0;
    for (int i = 0; i < 8; i++) {
      value = (value << 8) | (in[position++] & 0xFF);
    }
    return value;
  }

  public byte[] opaque8(String what, int max) {
    return bytes(u8(what), what, max);
  }

  public byte[] opaque16(String what, int max) {
    return bytes(u16(what), what, max);
  }

  public String text8(String what, int maxBytes) {
    byte[] bytes = opaque8(what, maxBytes);
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new DecodeException(what + " is not UTF-8");
    }
  }

  private byte[] bytes(int length, String what, int max) {
    if (length > max) {
      throw new DecodeException(what + " longer than " + max + " bytes");
    }
    need(length, what);
    byte[] value = Arrays.copyOfRange(in, position, position + length);
    position += length;
    return value;
  }

  /** Call after the last field: leftover bytes mean a different encoding of the same value. */
  public void end() {
    if (position != in.length) {
      throw new DecodeException("trailing bytes");
    }
  }
}
