package org.liaison.crypto.broadcasts;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.liaison.crypto.Ed25519;
import org.liaison.crypto.attestation.AttestationChain;
import org.liaison.crypto.attestation.TierAttestation;
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

/**
 * What a broadcast costs per recipient device: the author checks each device (its chain from the
 * root and its broadcast-key statement) and wraps the content key to it; the recipient opens its
 * wrap and verifies the header and author proof. Figures in docs/benchmarks.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class BroadcastBenchmark {
  private final Ed25519.KeyPair root = Ed25519.KeyPair.generate();
  private final Ed25519.KeyPair coordinator = Ed25519.KeyPair.generate();
  private final Ed25519.KeyPair device = Ed25519.KeyPair.generate();
  private final Instant now = Instant.now();
  private BroadcastWrap.KeyPair broadcastKey;
  private AttestationChain chain;
  private BroadcastKeyStatement statement;
  private byte[] statementSignature;
  private byte[] contentKey;
  private byte[] wrap;
  private byte[] header;
  private byte[] headerSignature;
  private AuthorProof proof;

  @Setup
  public void setup() {
    TierAttestation coordinatorLink =
        TierAttestation.issue(
            root,
            TierAttestation.Kind.COORDINATOR,
            "author",
            coordinator.publicKey(),
            3,
            "municipality",
            "",
            now.minusSeconds(60),
            now.plus(Duration.ofDays(365)));
    chain =
        AttestationChain.of(
            coordinatorLink,
            TierAttestation.issue(
                coordinator,
                TierAttestation.Kind.DEVICE,
                "author",
                device.publicKey(),
                2,
                "youth-work",
                "skopje",
                now.minusSeconds(60),
                now.plus(Duration.ofDays(90))));
    broadcastKey = BroadcastWrap.generateKeyPair();
    statement = new BroadcastKeyStatement("dev", "author", broadcastKey.publicKey(), 0);
    statementSignature = statement.sign(device);
    contentKey = BroadcastContent.newContentKey();
    wrap = BroadcastWrap.wrap(broadcastKey.publicKey(), "00", "dev", contentKey);
    BroadcastHeader signed =
        new BroadcastHeader(
            new byte[16],
            "author",
            "dev",
            List.of("skopje"),
            List.of(),
            0,
            now.toEpochMilli(),
            new byte[32],
            new byte[0]);
    header = signed.encode();
    headerSignature = signed.sign(device);
    proof = new AuthorProof(chain, coordinatorLink);
  }

  /** The author, per recipient device: chain from the root, and the key statement. */
  @Benchmark
  public boolean checkRecipientDevice() {
    chain.verify(root.publicKey(), device.publicKey(), "author", now);
    return statement.verify(device.publicKey(), statementSignature);
  }

  /** The author, per recipient device: HPKE-wrap the content key. */
  @Benchmark
  public byte[] wrapContentKey() {
    return BroadcastWrap.wrap(broadcastKey.publicKey(), "00", "dev", contentKey);
  }

  /** A recipient: open its wrap. */
  @Benchmark
  public byte[] unwrapContentKey() {
    return BroadcastWrap.unwrap(broadcastKey.secretKey(), "00", "dev", wrap);
  }

  /** A recipient: header signature, author chain and coordinator attestation. */
  @Benchmark
  public Object verifyAuthor() {
    return proof.verifySigned(root.publicKey(), header, headerSignature, now);
  }
}
