package org.liaison.client.load;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one timed step records. Send times are keyed by (channel, seq): the sender maps its {@code
 * ack}'s seq to the time it started encrypting the message (raw mode: the sender's own seq).
 * Receivers record (channel, seq, receipt time); the two are joined at the end, so a delivery that
 * overtakes its ack is still measured. All times are {@code System.nanoTime()} of this JVM.
 */
final class Measurement {
  final String mode;
  final int n;
  final int m;
  final double rate;
  final long windowNanos;
  volatile long start;
  volatile long end;
  volatile CpuMeter.Sample cpuStart;
  volatile String cpu = "";

  final ConcurrentHashMap<Long, Long> sendTimes = new ConcurrentHashMap<>(1 << 16);
  final LongAdder sent = new LongAdder();
  final LongAdder acked = new LongAdder();
  final LongAdder echoes = new LongAdder();
  final LongAdder skippedFull = new LongAdder();
  final LongAdder protectNanos = new LongAdder();
  final ConcurrentHashMap<String, LongAdder> errors = new ConcurrentHashMap<>();

  private long[] keys = new long[1 << 16];
  private long[] times = new long[1 << 16];
  private int receipts;

  Measurement(String mode, int n, int m, double rate, long windowNanos) {
    this.mode = mode;
    this.n = n;
    this.m = m;
    this.rate = rate;
    this.windowNanos = windowNanos;
  }

  static long key(int channel, long seq) {
    return ((long) channel << 40) | seq;
  }

  void error(String code) {
    errors.computeIfAbsent(code, k -> new LongAdder()).increment();
  }

  synchronized void receipt(int channel, long seq, long at) {
    if (receipts == keys.length) {
      keys = java.util.Arrays.copyOf(keys, receipts * 2);
      times = java.util.Arrays.copyOf(times, receipts * 2);
    }
    keys[receipts] = key(channel, seq);
    times[receipts] = at;
    receipts++;
  }

  synchronized int receipts() {
    return receipts;
  }

  /** Deliveries a complete run would have: every accepted message to the other m-1 members. */
  long expectedDeliveries() {
    return ("raw".equals(mode) ? sent.sum() : acked.sum()) * (m - 1);
  }

  /** The figures of a finished step. */
  record Result(
      String mode,
      int n,
      int m,
      double offered,
      double sendsPerSecond,
      double deliveriesPerSecond,
      long delivered,
      long expected,
      long unmatched,
      Report.Percentiles latency,
      String errors,
      double protectMicros,
      String cpu) {
    boolean sustained() {
      return latency.count > 0 && latency.p99 < 1_000_000_000L && delivered == expected;
    }

    String line() {
      return String.format(
              java.util.Locale.ROOT,
              "%s N=%d M=%d offered %.0f msg/s: sends %.0f/s, deliveries %.0f/s (%d of %d), latency p50 %s"
                  + " p99 %s max %s, errors %s%s",
              mode,
              n,
              m,
              offered,
              sendsPerSecond,
              deliveriesPerSecond,
              delivered,
              expected,
              Report.ms(latency.p50),
              Report.ms(latency.p99),
              Report.ms(latency.max),
              errors,
              protectMicros > 0
                  ? String.format(java.util.Locale.ROOT, ", MLS protect %.0f µs/msg", protectMicros)
                  : "")
          + (cpu.isEmpty() ? "" : "; cpu " + cpu);
    }
  }

  /**
   * Joins receipts with send times. Deliveries per second count receipts inside the send window
   * (the rate the system kept up while loaded); latency covers every matched receipt, including
   * those that arrived during the drain after the window.
   */
  synchronized Result result() {
    long[] latencies = new long[receipts];
    int matched = 0;
    long inWindow = 0;
    long unmatched = 0;
    for (int i = 0; i < receipts; i++) {
      Long sentAt = sendTimes.get(keys[i]);
      if (sentAt == null) {
        unmatched++;
        continue;
      }
      latencies[matched++] = times[i] - sentAt;
      if (times[i] <= end) {
        inWindow++;
      }
    }
    Map<String, Long> errorCounts = new TreeMap<>();
    errors.forEach((k, v) -> errorCounts.put(k, v.sum()));
    if (skippedFull.sum() > 0) {
      errorCounts.put("client-write-queue-full", skippedFull.sum());
    }
    if (unmatched > 0) {
      errorCounts.put("unmatched-receipts", unmatched);
    }
    double window = Report.seconds(end - start);
    long sends = sent.sum();
    return new Result(
        mode,
        n,
        m,
        rate,
        sends / window,
        inWindow / window,
        matched,
        expectedDeliveries(),
        unmatched,
        new Report.Percentiles(latencies, matched),
        errorCounts.isEmpty() ? "0" : errorCounts.toString(),
        sends == 0 ? 0 : protectNanos.sum() / 1e3 / sends,
        cpu);
  }
}
