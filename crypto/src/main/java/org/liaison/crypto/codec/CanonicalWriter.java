package org.liaison.crypto.codec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * TLS-style canonical encoding (big-endian integers, length-prefixed byte strings): one value has
 * exactly one encoding, so signatures over it are unambiguous. Not JSON.
 */
public final class CanonicalWriter {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  public CanonicalWriter u8(int value) {
    if (value < 0 || value > 0xFF) {
      throw new IllegalArgumentException("u8 out of range");
    }
    out.write(value);
    return this;
  }

  public CanonicalWriter u16(int value) {
    if (value < 0 || value > 0xFFFF) {
      throw new IllegalArgumentException("u16 out of range");
    }
    out.write(value >>> 8);
    out.write(value);
    return this;
  }

  public CanonicalWriter u64(long value) {
    for (int shift = 56; shift >= 0; shift -= 8) {
      out.write((int) (value >>> shift));
    }
    return this;
  }

  /** Bytes with a one-byte length: at most 255. */
  public CanonicalWriter opaque8(byte[] bytes) {
    u8(bytes.length);
    out.write(bytes, 0, bytes.length);
    return this;
  }

  /** Bytes with a two-byte length: at most 65 535. */
  public CanonicalWriter opaque16(byte[] bytes) {
    u16(bytes.length);
    out.write(bytes, 0, bytes.length);
    return this;
  }

  public CanonicalWriter text8(String text) {
    return opaque8(text.getBytes(StandardCharsets.UTF_8));
  }

  public byte[] toByteArray() {
    return out.toByteArray();
  }
}
