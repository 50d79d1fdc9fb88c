package org.liaison.crypto.documents;

import java.util.Arrays;

/**
 * The plaintext framing of every document record: {@code length[4, big-endian] || bytes || zero
 * padding} to a multiple of 256 bytes (at least 256), so ciphertext sizes say less about what was
 * typed.
 */
public final class DocumentPadding {
  public static final int BLOCK = 256;
  private static final int LENGTH_BYTES = 4;

  private DocumentPadding() {}

  public static byte[] pad(byte[] plaintext) {
    int framed = LENGTH_BYTES + plaintext.length;
    if (framed < plaintext.length) {
      throw new IllegalArgumentException("plaintext too long");
    }
    int total = Math.max(BLOCK, ((framed + BLOCK - 1) / BLOCK) * BLOCK);
    byte[] out = new byte[total];
    int length = plaintext.length;
    out[0] = (byte) (length >>> 24);
    out[1] = (byte) (length >>> 16);
    out[2] = (byte) (length >>> 8);
    out[3] = (byte) length;
    System.arraycopy(plaintext, 0, out, LENGTH_BYTES, length);
    return out;
  }

  /**
   * Refuses anything {@link #pad} would not have produced: odd sizes, long lengths, non-zero fill.
   */
  public static byte[] unpad(byte[] padded) {
    if (padded.length < BLOCK || padded.length % BLOCK != 0) {
      throw new DocumentCryptoException(
          DocumentCryptoException.Reason.BAD_PADDING,
          "padded plaintext is not a multiple of " + BLOCK + " bytes");
    }
    long length =
        ((padded[0] & 0xFFL) << 24)
            | ((padded[1] & 0xFFL) << 16)
            | ((padded[2] & 0xFFL) << 8)
            | (padded[3] & 0xFFL);
    if (length > padded.length - LENGTH_BYTES
        || Math.max(BLOCK, ((LENGTH_BYTES + length + BLOCK - 1) / BLOCK) * BLOCK)
            != padded.length) {
      throw new DocumentCryptoException(
          DocumentCryptoException.Reason.BAD_PADDING, "length does not match the padded size");
    }
    int end = LENGTH_BYTES + (int) length;
    for (int i = end; i < padded.length; i++) {
      if (padded[i] != 0) {
        throw new DocumentCryptoException(
            DocumentCryptoException.Reason.BAD_PADDING, "padding is not zero");
      }
    }
    return Arrays.copyOfRange(padded, LENGTH_BYTES, end);
  }
}
