package org.liaison.crypto.blob;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Attachment encryption throughput: one 8 MiB blob per operation, 64 KiB chunks. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class BlobCipherBenchmark {
  private final BlobCipher cipher = new BlobCipher(BlobCipher.newKey());
  private byte[] plaintext;
  private byte[] blob;

  @Setup
  public void setup() throws IOException {
    plaintext = new byte[8 * 1024 * 1024];
    new java.util.Random(1).nextBytes(plaintext);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    cipher.encrypt(new ByteArrayInputStream(plaintext), out);
    blob = out.toByteArray();
  }

  @Benchmark
  public int encrypt8MiB() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(plaintext.length + 8192);
    cipher.encrypt(new ByteArrayInputStream(plaintext), out);
    return out.size();
  }

  @Benchmark
  public int decrypt8MiB() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(plaintext.length);
    cipher.decrypt(new ByteArrayInputStream(blob), out);
    return out.size();
  }
}
