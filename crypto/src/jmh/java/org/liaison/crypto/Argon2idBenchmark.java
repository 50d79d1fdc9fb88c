package org.liaison.crypto;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one login costs the server: a password verification at the configured Argon2id cost. The
 * default (19 MiB, t=2) bounds logins per core; see docs/benchmarks.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class Argon2idBenchmark {
  @Param({"19456:2", "65536:3"})
  public String cost;

  private Argon2id.Cost parsed;
  private byte[] salt;

  @org.openjdk.jmh.annotations.Setup
  public void setup() {
    String[] parts = cost.split(":");
    parsed = new Argon2id.Cost(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), 1);
    salt = Argon2id.newSalt();
  }

  @Benchmark
  public byte[] verifyPassword() {
    return Argon2id.derive("correct horse battery staple", salt, parsed, 32);
  }
}
