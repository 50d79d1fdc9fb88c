package org.liaison.crypto.blob;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BlobCipherTest {
  static final int CHUNK = 1024;
  final BlobCipher cipher = new BlobCipher(BlobCipher.newKey());

  byte[] encrypt(byte[] plaintext) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    cipher.encrypt(new ByteArrayInputStream(plaintext), out, CHUNK);
    return out.toByteArray();
  }

  byte[] decrypt(BlobCipher with, byte[] blob) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    with.decrypt(new ByteArrayInputStream(blob), out);
    return out.toByteArray();
  }

  static byte[] random(int length) {
    byte[] bytes = new byte[length];
    new Random(length).nextBytes(bytes);
    return bytes;
  }

  @Test
  void roundTripsAtEveryAwkwardLength() throws IOException {
    for (int length : new int[] {0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 5 * CHUNK + 17}) {
      byte[] plaintext = random(length);
      assertArrayEquals(plaintext, decrypt(cipher, encrypt(plaintext)), "length " + length);
    }
  }

  @Test
  void aFlippedBitIsDetected() throws IOException {
    byte[] blob = encrypt(random(3 * CHUNK));
    blob[blob.length / 2] ^= 0x20;
    assertThrows(BlobCipher.CorruptBlobException.class, () -> decrypt(cipher, blob));
  }

  @Test
  void truncationAtAChunkBoundaryIsDetected() throws IOException {
    byte[] blob = encrypt(random(3 * CHUNK));
    int header = 15;
    int sealed = CHUNK + 16;
    byte[] twoChunks = Arrays.copyOf(blob, header + 2 * sealed);
    assertThrows(BlobCipher.CorruptBlobException.class, () -> decrypt(cipher, twoChunks));
    byte[] headerOnly = Arrays.copyOf(blob, header);
    assertThrows(BlobCipher.CorruptBlobException.class, () -> decrypt(cipher, headerOnly));
  }

  @Test
  void reorderedOrDuplicatedChunksAreDetected() throws IOException {
    byte[] blob = encrypt(random(3 * CHUNK));
    int header = 15;
    int sealed = CHUNK + 16;
    byte[] swapped = blob.clone();
    System.arraycopy(blob, header, swapped, header + sealed, sealed);
    System.arraycopy(blob, header + sealed, swapped, header, sealed);
    assertThrows(BlobCipher.CorruptBlobException.class, () -> decrypt(cipher, swapped));
    byte[] extended = Arrays.copyOf(blob, blob.length + sealed);
    System.arraycopy(blob, header, extended, blob.length, sealed);
    assertThrows(BlobCipher.CorruptBlobException.class, () -> decrypt(cipher, extended));
  }

  @Test
  void theWrongKeyAndNonBlobsAreRefused() throws IOException {
    byte[] blob = encrypt(random(100));
    assertThrows(
        BlobCipher.CorruptBlobException.class,
        () -> decrypt(new BlobCipher(BlobCipher.newKey()), blob));
    assertThrows(BlobCipher.CorruptBlobException.class, () -> decrypt(cipher, "hello".getBytes()));
    byte[] hugeChunk = blob.clone();
    hugeChunk[4] = 0x7F; // claims a 2 GB chunk: refused before allocating it
    assertThrows(BlobCipher.CorruptBlobException.class, () -> decrypt(cipher, hugeChunk));
  }

  /** 100 MB through both directions with fixed buffers: nothing is held but one chunk. */
  @Test
  void streamsAHundredMegabytesInConstantMemory() throws Exception {
    long size = 100L * 1024 * 1024;
    MessageDigest original = MessageDigest.getInstance("SHA-256");
    MessageDigest recovered = MessageDigest.getInstance("SHA-256");
    java.io.PipedInputStream pipeIn = new java.io.PipedInputStream(1 << 20);
    java.io.PipedOutputStream pipeOut = new java.io.PipedOutputStream(pipeIn);
    Thread encryptor =
        new Thread(
            () -> {
              try (OutputStream out = pipeOut) {
                cipher.encrypt(new PatternStream(size, original), out);
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    encryptor.start();
    try (OutputStream sink = new DigestOutputStream(OutputStream.nullOutputStream(), recovered)) {
      cipher.decrypt(pipeIn, sink);
    }
    encryptor.join();
    assertArrayEquals(original.digest(), recovered.digest());
  }

  /** A long stream of pseudo-random bytes generated on the fly, hashed as it is read. */
  static final class PatternStream extends InputStream {
    private long remaining;
    private final MessageDigest digest;
    private long state = 42;

    PatternStream(long size, MessageDigest digest) {
      this.remaining = size;
      this.digest = digest;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (remaining == 0) {
        return -1;
      }
      int n = (int) Math.min(len, remaining);
      for (int i = 0; i < n; i++) {
        state = state * 6364136223846793005L + 1442695040888963407L;
        b[off + i] = (byte) (state >>> 56);
      }
      digest.update(b, off, n);
      remaining -= n;
      return n;
    }
  }

  @Test
  void chunkSizesAreBounded() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            cipher.encrypt(new ByteArrayInputStream(new byte[1]), new ByteArrayOutputStream(), 0));
    assertEquals(32, BlobCipher.newKey().length);
  }
}
