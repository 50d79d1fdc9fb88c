package org.liaison.crypto.mls;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The committer's cost of membership changes and the cost of a 1 KiB message, in channels of 10,
 * 100 and 1 000 devices. The tree is grown as real channels grow: members join in small batches and
 * several members (not only the creator) update their leaves along the way, so parent nodes are
 * filled in across the tree rather than left blank by one bulk add.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 4, time = 2)
@Fork(1)
public class ChannelSessionBenchmark {
  @Param({"10", "100", "1000"})
  public int members;

  private static final byte[] GROUP = "benchmark-channel".getBytes();
  private static final int BATCH = 10;
  private ChannelSession creator;
  private ChannelSession other;
  private byte[] freshKeyPackage;
  private byte[] messageForOther;
  private final byte[] kibibyte = new byte[1024];

  @Setup(Level.Trial)
  public void growChannel() {
    DeviceIdentity creatorDevice = DeviceIdentity.generate("creator", "d0");
    creator = ChannelSession.create(creatorDevice, GROUP, Trust.anyone());
    // A few members keep live sessions so they can update their own leaves as the channel grows.
    List<ChannelSession> active = new ArrayList<>();
    int joined = 1;
    while (joined < members) {
      int batch = Math.min(BATCH, members - joined);
      List<KeyPackageSecrets> secrets = new ArrayList<>();
      List<DeviceIdentity> devices = new ArrayList<>();
      List<byte[]> packages = new ArrayList<>();
      for (int i = 0; i < batch; i++) {
        DeviceIdentity device = DeviceIdentity.generate("user" + (joined + i), "d");
        KeyPackageSecrets kp = ChannelSession.newKeyPackage(device);
        devices.add(device);
        secrets.add(kp);
        packages.add(kp.publicBytes());
      }
      ChannelSession.PendingCommit commit = creator.add(packages);
      creator = commit.next();
      active = advance(active, commit.commit());
      if (active.size() < 4) {
        active.add(
            ChannelSession.join(
                devices.get(0), secrets.get(0), commit.welcome().orElseThrow(), Trust.anyone()));
      }
      // One of the live members updates its leaf; everyone live follows.
      ChannelSession updater = active.get(joined / BATCH % active.size());
      ChannelSession.PendingCommit update = updater.update();
      creator = creator.handleCommit(update.commit());
      List<ChannelSession> next = new ArrayList<>();
      for (ChannelSession s : active) {
        next.add(s == updater ? update.next() : s.handleCommit(update.commit()));
      }
      active = next;
      joined += batch;
    }
    other = active.isEmpty() ? creator : active.get(0);
    System.err.printf(
        "# %d members: tree ready at epoch %d; add commit %d B + welcome %d B, update commit %d B%n",
        creator.members().size(),
        creator.epoch(),
        sample().commit().length,
        sample().welcome().map(w -> w.length).orElse(0),
        creator.update().commit().length);
  }

  private ChannelSession.PendingCommit sample() {
    return creator.add(
        List.of(ChannelSession.newKeyPackage(DeviceIdentity.generate("probe", "p")).publicBytes()));
  }

  private static List<ChannelSession> advance(List<ChannelSession> sessions, byte[] commit) {
    List<ChannelSession> next = new ArrayList<>();
    for (ChannelSession s : sessions) {
      next.add(s.handleCommit(commit));
    }
    return next;
  }

  @Setup(Level.Invocation)
  public void freshInputs() {
    freshKeyPackage =
        ChannelSession.newKeyPackage(DeviceIdentity.generate("newcomer", "n")).publicBytes();
    messageForOther = creator.protect(new byte[0], kibibyte);
  }

  @Benchmark
  public ChannelSession.PendingCommit addOne() {
    return creator.add(List.of(freshKeyPackage));
  }

  @Benchmark
  public ChannelSession.PendingCommit removeOne() {
    String last = "user" + (members - 1);
    return creator.remove(m -> m.userId().equals(last));
  }

  @Benchmark
  public ChannelSession.PendingCommit selfUpdate() {
    return creator.update();
  }

  @Benchmark
  public byte[] protect1KiB() {
    return creator.protect(new byte[0], kibibyte);
  }

  @Benchmark
  public ChannelSession.Received unprotect1KiB() {
    return other.unprotect(messageForOther);
  }
}
