package org.liaison.client.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Where the machine's CPU went during a step (Linux {@code /proc}): the named processes (server,
 * this tool) and everything else, in cores. Other processes matter on a shared 2-core machine: a
 * build running beside a load run takes cores from both sides.
 */
final class CpuMeter {
  private static final double HZ = 100.0; // USER_HZ on Linux

  private final Map<String, Long> pids = new LinkedHashMap<>();

  CpuMeter(Map<String, Long> pids) {
    this.pids.putAll(pids);
  }

  /** CPU ticks of the whole machine and of each process at one moment. */
  record Sample(long nanos, long machine, Map<String, Long> processes) {}

  Sample sample() {
    Map<String, Long> per = new LinkedHashMap<>();
    pids.forEach((name, pid) -> per.put(name, processTicks(pid)));
    return new Sample(System.nanoTime(), machineTicks(), per);
  }

  /** "server 1.62, tool 0.31, others 0.05 cores" between two samples. */
  static String between(Sample a, Sample b) {
    double seconds = Report.seconds(b.nanos() - a.nanos());
    StringBuilder out = new StringBuilder();
    long named = 0;
    for (var e : b.processes().entrySet()) {
      long before = a.processes().getOrDefault(e.getKey(), -1L);
      if (before < 0 || e.getValue() < 0) {
        continue;
      }
      long used = e.getValue() - before;
      named += used;
      out.append(String.format(Locale.ROOT, "%s %.2f, ", e.getKey(), used / HZ / seconds));
    }
    if (a.machine() < 0 || b.machine() < 0) {
      return out.append("cores").toString();
    }
    double others = Math.max(0, (b.machine() - a.machine() - named) / HZ / seconds);
    return out.append(String.format(Locale.ROOT, "others %.2f cores", others)).toString();
  }

  private static long machineTicks() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      // cpu user nice system idle iowait irq softirq steal
      long busy = 0;
      for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
        busy += Long.parseLong(f[i]);
      }
      return busy;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static long processTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // fields after the command: state(0) ... utime(11) stime(12)
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
