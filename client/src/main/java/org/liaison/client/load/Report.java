package org.liaison.client.load;

import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Console output: progress lines on stderr, results on stdout, and latency percentiles. */
final class Report {
  private Report() {}

  static void progress(String format, Object... args) {
    System.err.println(
        LocalTime.now().truncatedTo(ChronoUnit.SECONDS)
            + " "
            + String.format(Locale.ROOT, format, args));
  }

  static void out(String format, Object... args) {
    System.out.println(String.format(Locale.ROOT, format, args));
    System.out.flush();
  }

  static double seconds(long nanos) {
    return Math.max(nanos, 1) / 1e9;
  }

  static String ms(long nanos) {
    if (nanos < 0) {
      return "-";
    }
    double ms = nanos / 1e6;
    return ms >= 100
        ? String.format(Locale.ROOT, "%.0f ms", ms)
        : String.format(Locale.ROOT, "%.1f ms", ms);
  }

  /** Nearest-rank percentiles of a sample, sorted in place; -1 when empty. */
  static final class Percentiles {
    final long p50;
    final long p99;
    final long max;
    final int count;

    Percentiles(long[] sample, int count) {
      this.count = count;
      if (count == 0) {
        p50 = p99 = max = -1;
        return;
      }
      Arrays.sort(sample, 0, count);
      p50 = sample[rank(0.50, count)];
      p99 = sample[rank(0.99, count)];
      max = sample[count - 1];
    }

    private static int rank(double q, int n) {
      return Math.min(n - 1, Math.max(0, (int) Math.ceil(q * n) - 1));
    }
  }

  /** A markdown table printed at the end of a run. */
  static final class Table {
    private final String[] header;
    private final List<String[]> rows = new ArrayList<>();

    Table(String... header) {
      this.header = header;
    }

    void row(Object... cells) {
      rows.add(Arrays.stream(cells).map(String::valueOf).toArray(String[]::new));
    }

    void print() {
      out("| %s |", String.join(" | ", header));
      out("|%s", "---|".repeat(header.length));
      for (String[] r : rows) {
        out("| %s |", String.join(" | ", r));
      }
    }
  }
}
