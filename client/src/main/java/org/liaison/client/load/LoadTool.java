package org.liaison.client.load;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A load tool run by hand (never in CI): opens N device connections on 127.0.0.1 in channels of M
 * members and reports deliveries per second and end-to-end latency, next to the same machine's raw
 * Vert.x WebSocket broadcast ceiling; and what the embedded store sustains for appends and
 * catch-up. The server runs in another process (each process may open 20 000 files). See {@code
 * docs/benchmarks.md}, "Channels and realtime", and {@code client/load.sh}.
 *
 * <pre>
 * LoadTool raw-server PORT [EVENT_LOOPS]
 * LoadTool liaison --port 18090 --data-dir DIR --n 1000 --m 10 --rates 1000,2000 [--raw-port 18091]
 * LoadTool raw --raw-port 18091 --n 1000 --m 10 --rates 1000,2000
 * LoadTool store --port 18090 --data-dir DIR
 * </pre>
 */
public final class LoadTool {
  private static final String HOST = "127.0.0.1";

  private final Map<String, String> options;

  private LoadTool(Map<String, String> options) {
    this.options = options;
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || args[0].equals("--help")) {
      usage();
      return;
    }
    if (args[0].equals("raw-server")) {
      int port = Integer.parseInt(args[1]);
      RawServer.run(port, args.length > 2 ? Integer.parseInt(args[2]) : 1);
      return; // Vert.x threads keep the process alive until it is stopped
    }
    Map<String, String> options = new HashMap<>();
    for (int i = 1; i < args.length; i++) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + args[i]);
      }
      String name = args[i].substring(2);
      if (name.startsWith("no-")) {
        options.put(name, "true");
      } else if (i + 1 < args.length) {
        options.put(name, args[++i]);
      } else {
        throw new IllegalArgumentException("--" + name + " needs a value");
      }
    }
    LoadTool tool = new LoadTool(options);
    watchdog(tool.number("max-minutes", 10));
    int code;
    try {
      code =
          switch (args[0]) {
            case "liaison" -> tool.liaison();
            case "raw" -> tool.raw();
            case "store" -> tool.store();
            default -> {
              usage();
              yield 2;
            }
          };
    } catch (LoadException e) {
      Report.out("load: %s", e.getMessage());
      code = 1;
    }
    System.exit(code);
  }

  private static void usage() {
    System.out.println(
        """
        LoadTool raw-server PORT [EVENT_LOOPS]   minimal WebSocket broadcast server (default 1 loop)
        LoadTool liaison --port P (--data-dir DIR | --code CODE) [--n 1000] [--m 10]
                 [--rates 500,1000] [--seconds 20] [--warmup 5] [--drain 10] [--payload 200]
                 [--raw-port P --raw-rates 1000,4000] [--setup-concurrency 48]
                 [--connect-concurrency 100] [--no-join] [--event-loops 2] [--max-minutes 10]
        LoadTool raw --raw-port P [--n] [--m] [--rates] [--seconds] [--payload 200]
        LoadTool store --port P (--data-dir DIR | --code CODE) [--users 100] [--m 10]
                 [--seconds 15] [--per-channel 4] [--hot-inflight 64] [--fill 20000]
                 [--readers 16] [--page 100]
        Targets are always 127.0.0.1. Every run stops by itself (--max-minutes).""");
  }

  private static void watchdog(double minutes) {
    Thread t =
        new Thread(
            () -> {
              try {
                Thread.sleep((long) (minutes * 60_000));
              } catch (InterruptedException e) {
                return;
              }
              Report.out("load: stopped after the --max-minutes limit of %.0f", minutes);
              System.exit(3);
            },
            "load-watchdog");
    t.setDaemon(true);
    t.start();
  }

  // ---- options ------------------------------------------------------------------------------

  private double number(String name, double fallback) {
    String v = options.get(name);
    return v == null ? fallback : Double.parseDouble(v);
  }

  private int integer(String name, int fallback) {
    return (int) number(name, fallback);
  }

  private boolean flag(String name) {
    return options.containsKey(name);
  }

  private double[] rates(String name, double[] fallback) {
    String v = options.get(name);
    return v == null
        ? fallback
        : Arrays.stream(v.split(",")).mapToDouble(Double::parseDouble).toArray();
  }

  private String code() {
    if (options.containsKey("code")) {
      return options.get("code");
    }
    if (!options.containsKey("data-dir")) {
      throw new LoadException("give --data-dir (of the fresh server) or --code");
    }
    return LiaisonNetwork.bootstrapCode(Path.of(options.get("data-dir")));
  }

  private CpuMeter meter() {
    Map<String, Long> pids = new java.util.LinkedHashMap<>();
    if (options.containsKey("server-pid")) {
      pids.put("server", Long.parseLong(options.get("server-pid")));
    }
    if (options.containsKey("raw-pid")) {
      pids.put("raw-server", Long.parseLong(options.get("raw-pid")));
    }
    pids.put("tool", ProcessHandle.current().pid());
    return new CpuMeter(pids);
  }

  private Vertx vertx() {
    return Vertx.vertx(
        new VertxOptions()
            .setEventLoopPoolSize(integer("event-loops", 2))
            .setBlockedThreadCheckInterval(10)
            .setBlockedThreadCheckIntervalUnit(TimeUnit.SECONDS));
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LoadException("interrupted");
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof LoadException l) {
        throw l;
      }
      throw new LoadException(String.valueOf(cause), cause);
    }
  }

  // ---- modes --------------------------------------------------------------------------------

  private int liaison() {
    int n = integer("n", 1000);
    int m = integer("m", 10);
    int port = integer("port", 18090);
    int payload = integer("payload", 200);
    double seconds = number("seconds", 20);
    double[] rates = rates("rates", new double[] {500, 1000, 2000});
    Vertx vertx = vertx();
    Api api = new Api(vertx, port, integer("setup-concurrency", 48));
    LiaisonNetwork network =
        await(
            LiaisonNetwork.build(
                api, code(), n, m, integer("setup-concurrency", 48), !flag("no-join")));
    await(api.close());
    List<Measurement.Result> results = new ArrayList<>();
    RealtimeLoad.Target target =
        new RealtimeLoad.Target() {
          @Override
          public String mode() {
            return "liaison";
          }

          @Override
          public WebSocketConnectOptions options(int device) {
            return new WebSocketConnectOptions()
                .setHost(HOST)
                .setPort(port)
                .setURI("/api/v1/realtime")
                .addHeader("Authorization", "Bearer " + network.devices.get(device).token());
          }

          @Override
          public boolean liaison() {
            return true;
          }
        };
    RealtimeLoad load =
        new RealtimeLoad(vertx, target, n, m, network.channels, payload, 0, meter());
    int chars = RealtimeLoad.ciphertextChars(payload);
    Report.out("payload %d bytes -> MLS PrivateMessage of %d base64 characters", payload, chars);
    steps(load, rates, seconds, results);
    if (options.containsKey("raw-port")) {
      results.addAll(rawSteps(vertx, n, m, chars, rates("raw-rates", rates), seconds));
    }
    table(results);
    vertx.close();
    return 0;
  }

  private int raw() {
    int n = integer("n", 1000);
    int m = integer("m", 10);
    int payload = integer("payload", 200);
    Vertx vertx = vertx();
    List<Measurement.Result> results =
        rawSteps(
            vertx,
            n,
            m,
            RealtimeLoad.ciphertextChars(payload),
            rates("rates", new double[] {1000, 2000, 4000}),
            number("seconds", 20));
    table(results);
    vertx.close();
    return 0;
  }

  private List<Measurement.Result> rawSteps(
      Vertx vertx, int n, int m, int chars, double[] rates, double seconds) {
    int rawPort = integer("raw-port", 18091);
    RealtimeLoad.Target target =
        new RealtimeLoad.Target() {
          @Override
          public String mode() {
            return "raw";
          }

          @Override
          public WebSocketConnectOptions options(int device) {
            return new WebSocketConnectOptions()
                .setHost(HOST)
                .setPort(rawPort)
                .setURI("/ws?room=" + device / m);
          }

          @Override
          public boolean liaison() {
            return false;
          }
        };
    List<Measurement.Result> results = new ArrayList<>();
    steps(new RealtimeLoad(vertx, target, n, m, null, 0, chars, meter()), rates, seconds, results);
    return results;
  }

  /** Connects, warms up (not reported), runs each rate, closes. */
  private void steps(
      RealtimeLoad load, double[] rates, double seconds, List<Measurement.Result> results) {
    try {
      await(load.connect(integer("connect-concurrency", 100)));
      double warmup = number("warmup", 5);
      double drain = number("drain", 10);
      if (warmup > 0) {
        Measurement.Result w = await(load.step(rates[0] / 2, warmup, drain));
        Report.progress("warm-up (not reported): %s", w.line());
        sleep(2);
      }
      for (double rate : rates) {
        Measurement.Result r = await(load.step(rate, seconds, drain));
        Report.out("%s", r.line());
        results.add(r);
        sleep(2);
      }
      Report.out(
          "%s: connections closed by the server during the run: %s",
          results.isEmpty() ? "" : results.get(0).mode(), load.unexpectedCloses());
    } finally {
      await(load.close());
    }
  }

  private static void sleep(double seconds) {
    try {
      Thread.sleep((long) (seconds * 1000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void table(List<Measurement.Result> results) {
    Report.out("");
    Report.Table t =
        new Report.Table(
            "mode",
            "N",
            "M",
            "offered msg/s",
            "sends/s",
            "deliveries/s",
            "delivered",
            "p50",
            "p99",
            "max",
            "errors",
            "cpu (cores)");
    for (Measurement.Result r : results) {
      t.row(
          r.mode(),
          r.n(),
          r.m(),
          fmt(r.offered()),
          fmt(r.sendsPerSecond()),
          fmt(r.deliveriesPerSecond()),
          r.delivered() + "/" + r.expected(),
          Report.ms(r.latency().p50),
          Report.ms(r.latency().p99),
          Report.ms(r.latency().max),
          r.errors(),
          r.cpu());
    }
    t.print();
    Measurement.Result bestLiaison = best(results, "liaison");
    Measurement.Result bestRaw = best(results, "raw");
    if (bestLiaison != null && bestRaw != null) {
      Report.out("");
      Report.out(
          "highest sustained step (all delivered, p99 < 1 s): liaison %s deliveries/s, raw %s"
              + " deliveries/s, ratio liaison/raw %.3f",
          fmt(bestLiaison.deliveriesPerSecond()),
          fmt(bestRaw.deliveriesPerSecond()),
          bestLiaison.deliveriesPerSecond() / bestRaw.deliveriesPerSecond());
      for (Measurement.Result best : List.of(bestLiaison, bestRaw)) {
        if (best == last(results, best.mode())) {
          Report.out(
              "note: %s sustained the highest rate tried; its ceiling is higher than shown",
              best.mode());
        }
      }
    }
  }

  private static Measurement.Result best(List<Measurement.Result> results, String mode) {
    Measurement.Result best = null;
    for (Measurement.Result r : results) {
      if (r.mode().equals(mode)
          && r.sustained()
          && (best == null || r.deliveriesPerSecond() > best.deliveriesPerSecond())) {
        best = r;
      }
    }
    return best;
  }

  private static Measurement.Result last(List<Measurement.Result> results, String mode) {
    Measurement.Result last = null;
    for (Measurement.Result r : results) {
      if (r.mode().equals(mode)) {
        last = r;
      }
    }
    return last;
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%,.0f", v).replace(',', ' ');
  }

  private int store() {
    int users = integer("users", 100);
    int m = integer("m", 10);
    int port = integer("port", 18090);
    double seconds = number("seconds", 15);
    int perChannel = integer("per-channel", 4);
    int hotInflight = integer("hot-inflight", 64);
    long fill = integer("fill", 20_000);
    int readers = integer("readers", 16);
    int page = integer("page", 100);
    Vertx vertx = vertx();
    int pool =
        Math.max(integer("setup-concurrency", 48), Math.max(hotInflight, users / m * perChannel));
    Api api = new Api(vertx, port, pool);
    LiaisonNetwork network =
        await(LiaisonNetwork.build(api, code(), users, m, integer("setup-concurrency", 48), false));
    StoreLoad load = new StoreLoad(vertx, api, integer("payload", 200));
    List<StoreLoad.Result> results = new ArrayList<>();
    List<LiaisonNetwork.Channel> spread = network.channels.subList(1, network.channels.size());
    LiaisonNetwork.Channel hot = network.channels.get(0);
    CpuMeter meter = meter();
    List<String> cpu = new ArrayList<>();
    // warm-up, not reported
    await(load.appends("warm-up", spread, 1, 3, Long.MAX_VALUE));
    CpuMeter.Sample a = meter.sample();
    StoreLoad.Result r =
        await(
            load.appends(
                String.format(
                    "appends over %d channels (%d in flight each, %d total)",
                    spread.size(), perChannel, spread.size() * perChannel),
                spread,
                perChannel,
                seconds,
                Long.MAX_VALUE));
    cpu.add(CpuMeter.between(a, meter.sample()));
    Report.out("%s; cpu %s", r.line(), cpu.get(cpu.size() - 1));
    results.add(r);
    a = meter.sample();
    r =
        await(
            load.appends(
                String.format("appends to one channel (%d in flight)", hotInflight),
                List.of(hot),
                hotInflight,
                120,
                fill));
    cpu.add(CpuMeter.between(a, meter.sample()));
    Report.out("%s; cpu %s", r.line(), cpu.get(cpu.size() - 1));
    results.add(r);
    long head = r.maxSeq();
    await(load.reads(hot, head, page, readers, 3)); // warm-up
    a = meter.sample();
    r = await(load.reads(hot, head, page, readers, seconds));
    cpu.add(CpuMeter.between(a, meter.sample()));
    Report.out(
        "%s (channel of %d entries, %d readers); cpu %s",
        r.line(), head, readers, cpu.get(cpu.size() - 1));
    results.add(r);
    Report.out("");
    Report.Table t =
        new Report.Table("phase", "ok", "per second", "p50", "p99", "max", "errors", "cpu (cores)");
    for (int i = 0; i < results.size(); i++) {
      StoreLoad.Result x = results.get(i);
      t.row(
          x.phase(),
          x.ok(),
          fmt(x.perSecond()),
          Report.ms(x.latency().p50),
          Report.ms(x.latency().p99),
          Report.ms(x.latency().max),
          x.errors(),
          cpu.get(i));
    }
    t.print();
    vertx.close();
    return 0;
  }
}
