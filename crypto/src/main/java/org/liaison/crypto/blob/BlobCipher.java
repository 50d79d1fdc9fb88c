package org.liaison.crypto.blob;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Streaming authenticated encryption for attachments and document snapshots: AES-256-GCM over
 * fixed-size chunks (the STREAM construction). Each chunk's nonce is a random per-blob prefix, the
 * chunk's index and a last-chunk flag, so chunks cannot be reordered, dropped, duplicated or cut
 * off at a chunk boundary without detection. Memory use is one chunk, whatever the blob's size.
 *
 * <pre>
 * header:  "LBC1" || uint32 chunk_size || nonce_prefix[7]        (authenticated as AAD)
 * chunk i: AES-256-GCM(key, nonce = prefix || uint32 i || last, plaintext[chunk_size]) (+16 tag)
 * </pre>
 *
 * Decryption writes a chunk only after its tag verified, but a cut-off blob is only known to be cut
 * off at the end: callers keep the output aside until {@link #decrypt} returns.
 */
public final class BlobCipher {
  public static final int KEY_LENGTH = 32;
  public static final int DEFAULT_CHUNK = 64 * 1024;
  private static final int MAX_CHUNK = 4 * 1024 * 1024;
  private static final byte[] MAGIC = {'L', 'B', 'C', '1'};
  private static final int PREFIX_LENGTH = 7;
  private static final int HEADER_LENGTH = MAGIC.length + 4 + PREFIX_LENGTH;
  private static final int TAG_BYTES = 16;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;

  public BlobCipher(byte[] key) {
    if (key.length != KEY_LENGTH) {
      throw new IllegalArgumentException("blob keys are 32 bytes");
    }
    this.key = new SecretKeySpec(key, "AES");
  }

  public static byte[] newKey() {
    byte[] key = new byte[KEY_LENGTH];
    RANDOM.nextBytes(key);
    return key;
  }

  /** The blob was tampered with, truncated, reordered, or is not a blob under this key. */
  public static final class CorruptBlobException extends IOException {
    CorruptBlobException(String message) {
      super(message);
    }
  }

  public void encrypt(InputStream plaintext, OutputStream out) throws IOException {
    encrypt(plaintext, out, DEFAULT_CHUNK);
  }

  public void encrypt(InputStream plaintext, OutputStream out, int chunkSize) throws IOException {
    if (chunkSize < 1 || chunkSize > MAX_CHUNK) {
      throw new IllegalArgumentException("chunk size out of range");
    }
    byte[] prefix = new byte[PREFIX_LENGTH];
    RANDOM.nextBytes(prefix);
    byte[] header = header(chunkSize, prefix);
    out.write(header);
    forEachChunk(
        plaintext,
        chunkSize,
        (index, last, data, length) -> out.write(seal(header, prefix, index, last, data, length)));
  }

  public void decrypt(InputStream blob, OutputStream plaintext) throws IOException {
    byte[] header = new byte[HEADER_LENGTH];
    if (readFully(blob, header) != HEADER_LENGTH
        || !java.util.Arrays.equals(java.util.Arrays.copyOf(header, 4), MAGIC)) {
      throw new CorruptBlobException("not a Liaison blob");
    }
    int chunkSize =
        ((header[4] & 0xFF) << 24)
            | ((header[5] & 0xFF) << 16)
            | ((header[6] & 0xFF) << 8)
            | (header[7] & 0xFF);
    if (chunkSize < 1 || chunkSize > MAX_CHUNK) {
      throw new CorruptBlobException("chunk size out of range");
    }
    byte[] prefix = java.util.Arrays.copyOfRange(header, 8, HEADER_LENGTH);
    forEachChunk(
        blob,
        chunkSize + TAG_BYTES,
        (index, last, data, length) -> {
          if (length < TAG_BYTES) {
            throw new CorruptBlobException("blob cut off");
          }
          plaintext.write(open(header, prefix, index, last, data, length));
        });
  }

  private interface ChunkHandler {
    void handle(long index, boolean last, byte[] data, int length) throws IOException;
  }

  /**
   * Reads {@code in} in chunks of {@code size}, looking one chunk ahead so that the last chunk
   * (possibly short or empty) is known to be last; two buffers, whatever the stream's length.
   */
  private static void forEachChunk(InputStream in, int size, ChunkHandler handler)
      throws IOException {
    byte[] current = new byte[size];
    byte[] next = new byte[size];
    int currentLength = readFully(in, current);
    for (long index = 0; ; index++) {
      int nextLength = currentLength == size ? readFully(in, next) : 0;
      boolean last = nextLength == 0;
      handler.handle(index, last, current, currentLength);
      if (last) {
        return;
      }
      byte[] swap = current;
      current = next;
      next = swap;
      currentLength = nextLength;
    }
  }

  private byte[] seal(
      byte[] header, byte[] prefix, long index, boolean last, byte[] data, int length)
      throws IOException {
    try {
      return gcm(Cipher.ENCRYPT_MODE, header, prefix, index, last).doFinal(data, 0, length);
    } catch (GeneralSecurityException e) {
      throw new IOException("encryption failed", e);
    }
  }

  private byte[] open(
      byte[] header, byte[] prefix, long index, boolean last, byte[] data, int length)
      throws IOException {
    try {
      return gcm(Cipher.DECRYPT_MODE, header, prefix, index, last).doFinal(data, 0, length);
    } catch (AEADBadTagException e) {
      throw new CorruptBlobException(
          "chunk "
              + index
              + " does not authenticate (tampered, reordered, truncated or wrong key)");
    } catch (GeneralSecurityException e) {
      throw new IOException("decryption failed", e);
    }
  }

  /** AES-256-GCM for one chunk: its own nonce, the header as associated data. */
  private Cipher gcm(int mode, byte[] header, byte[] prefix, long index, boolean last)
      throws GeneralSecurityException {
    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
    gcm.init(mode, key, new GCMParameterSpec(128, nonce(prefix, index, last)));
    gcm.updateAAD(header);
    return gcm;
  }

  private static byte[] nonce(byte[] prefix, long index, boolean last) {
    if (index > 0xFFFF_FFFFL) {
      throw new IllegalStateException("blob too long");
    }
    byte[] nonce = new byte[12];
    System.arraycopy(prefix, 0, nonce, 0, PREFIX_LENGTH);
    nonce[7] = (byte) (index >>> 24);
    nonce[8] = (byte) (index >>> 16);
    nonce[9] = (byte) (index >>> 8);
    nonce[10] = (byte) index;
    nonce[11] = (byte) (last ? 1 : 0);
    return nonce;
  }

  private static byte[] header(int chunkSize, byte[] prefix) {
    byte[] header = new byte[HEADER_LENGTH];
    System.arraycopy(MAGIC, 0, header, 0, 4);
    header[4] = (byte) (chunkSize >>> 24);
    header[5] = (byte) (chunkSize >>> 16);
    header[6] = (byte) (chunkSize >>> 8);
    header[7] = (byte) chunkSize;
    System.arraycopy(prefix, 0, header, 8, PREFIX_LENGTH);
    return header;
  }

  /** Reads until the buffer is full or the stream ends; returns how many bytes were read. */
  private static int readFully(InputStream in, byte[] buffer) throws IOException {
    int total = 0;
    while (total < buffer.length) {
      int read = in.read(buffer, total, buffer.length - total);
      if (read < 0) {
        break;
      }
      total += read;
    }
    return total;
  }
}
