package org.liaison.client.load;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.liaison.crypto.mls.ChannelSession;

/**
 * N WebSocket connections in channels (rooms) of M, one sender per channel, at a fixed total rate
 * for a bounded window. Two targets with the same client code: a Liaison node ({@code send} frames
 * carrying a fresh MLS PrivateMessage, {@code message} frames back) and the raw broadcast server
 * ({@link RawServer}: the same-sized frame relayed verbatim to the room).
 */
final class RealtimeLoad {
  private static final byte[] NO_AAD = new byte[0];

  /** Where the connections go. */
  interface Target {
    String mode();

    WebSocketConnectOptions options(int device);

    boolean liaison();
  }

  /** One device's connection. */
  private final class Conn {
    final int device;
    final int channel;
    final boolean sender;
    ClientWebSocket ws;
    Context context;
    boolean ready;
    // sender state, touched only on the connection's context
    long nextId;
    long timer = -1;
    final Map<Long, Long> pending = new HashMap<>();

    Conn(int device, int channel, boolean sender) {
      this.device = device;
      this.channel = channel;
      this.sender = sender;
    }
  }

  private final Vertx vertx;
  private final Target target;
  private final int n;
  private final int m;
  private final List<Conn> conns = new ArrayList<>();
  private final WebSocketClient client;
  private final AtomicInteger readyCount = new AtomicInteger();
  private final LongAdder closedUnexpectedly = new LongAdder();
  private final Map<Short, LongAdder> closeCodes = new java.util.concurrent.ConcurrentHashMap<>();
  private volatile Measurement current;
  private final CpuMeter meter;
  private volatile boolean closing;
  private Promise<Void> allReady;

  // Liaison: the channels with the sender's MLS state; raw: ids and a payload of the same size.
  private final List<LiaisonNetwork.Channel> channels;
  private final String[] channelIds;
  private final byte[] plaintext;
  private final String rawCiphertext;

  RealtimeLoad(
      Vertx vertx,
      Target target,
      int n,
      int m,
      List<LiaisonNetwork.Channel> channels,
      int payloadBytes,
      int rawCiphertextChars,
      CpuMeter meter) {
    this.vertx = vertx;
    this.meter = meter;
    this.target = target;
    this.n = n;
    this.m = m;
    this.channels = channels;
    this.client =
        vertx.createWebSocketClient(
            new WebSocketClientOptions()
                .setMaxConnections(n + 16)
                .setConnectTimeout(60_000)
                .setMaxFrameSize(1 << 20)
                .setMaxMessageSize(1 << 20));
    this.plaintext = new byte[payloadBytes];
    new SecureRandom().nextBytes(plaintext);
    this.channelIds = new String[n / m];
    for (int c = 0; c < n / m; c++) {
      channelIds[c] = channels != null ? channels.get(c).id : String.format("%032x", c);
    }
    byte[] raw = new byte[rawCiphertextChars * 3 / 4 + 3];
    new SecureRandom().nextBytes(raw);
    this.rawCiphertext = Api.b64(raw).substring(0, Math.max(0, rawCiphertextChars));
    for (int i = 0; i < n; i++) {
      conns.add(new Conn(i, i / m, i % m == 0));
    }
  }

  /**
   * Opens every connection, {@code concurrency} handshakes at a time; waits for Liaison's ready.
   */
  Future<Void> connect(int concurrency) {
    allReady = Promise.promise();
    long t0 = System.nanoTime();
    return Bounded.run("connections", n, concurrency, this::open)
        .compose(
            v -> {
              if (!target.liaison()) {
                allReady.tryComplete();
              }
              long deadline =
                  vertx.setTimer(
                      120_000,
                      t ->
                          allReady.tryFail(
                              new LoadException(
                                  "only " + readyCount.get() + " of " + n + " ready frames")));
              return allReady.future().onComplete(x -> vertx.cancelTimer(deadline));
            })
        .onSuccess(
            v ->
                Report.out(
                    "%s: %d WebSocket connections open%s in %.1f s",
                    target.mode(),
                    n,
                    target.liaison() ? " and ready" : "",
                    Report.seconds(System.nanoTime() - t0)));
  }

  private Future<Void> open(int i) {
    Conn c = conns.get(i);
    ClientWebSocket ws = client.webSocket();
    c.ws = ws;
    ws.textMessageHandler(text -> onText(c, text));
    ws.exceptionHandler(e -> {});
    ws.closeHandler(
        v -> {
          if (!closing) {
            closedUnexpectedly.increment();
            Short code = ws.closeStatusCode();
            closeCodes.computeIfAbsent(code == null ? -1 : code, k -> new LongAdder()).increment();
          }
        });
    return ws.connect(target.options(i))
        .map(
            w -> {
              c.context = Vertx.currentContext();
              return null;
            });
  }

  private void onText(Conn c, String text) {
    long now = System.nanoTime();
    JsonObject frame = new JsonObject(text);
    String type = frame.getString("type", "");
    Measurement run = current;
    switch (type) {
      case "message" -> {
        if (run == null) {
          return;
        }
        if (c.sender) {
          run.echoes.increment();
        } else {
          run.receipt(c.channel, frame.getLong("seq"), now);
        }
      }
      case "ack" -> {
        Long sentAt = c.pending.remove(Long.parseLong(frame.getString("clientMessageId")));
        if (run != null && sentAt != null) {
          run.acked.increment();
          run.sendTimes.put(Measurement.key(c.channel, frame.getLong("seq")), sentAt);
        }
      }
      case "ready" -> {
        if (!c.ready) {
          c.ready = true;
          if (readyCount.incrementAndGet() == n) {
            allReady.tryComplete();
          }
        }
      }
      case "error" -> {
        if (run != null) {
          run.error(frame.getString("code", "?"));
        }
        Object cmid = frame.getValue("clientMessageId");
        if (cmid instanceof String s) {
          c.pending.remove(Long.parseLong(s));
        }
      }
      default -> {} // handshake, welcome, channel-updated, pong
    }
  }

  /** Sends for {@code seconds} at {@code rate} messages/s in total, then drains and reports. */
  Future<Measurement.Result> step(double rate, double seconds, double drainSeconds) {
    int senders = n / m;
    double perSender = rate / senders;
    Measurement run = new Measurement(target.mode(), n, m, rate, (long) (seconds * 1e9));
    current = run;
    long start = System.nanoTime() + 200_000_000L; // every timer armed before the window opens
    run.start = start;
    run.end = start + run.windowNanos;
    long tickMillis = (long) Math.max(1, Math.min(1000, 1000 / perSender));
    vertx.setTimer(200, t -> run.cpuStart = meter.sample());
    vertx.setTimer(
        200 + run.windowNanos / 1_000_000L,
        t -> run.cpu = CpuMeter.between(run.cpuStart, meter.sample()));
    for (Conn c : conns) {
      if (!c.sender) {
        continue;
      }
      long phase = ThreadLocalRandom.current().nextLong(tickMillis * 1_000_000L);
      c.context.runOnContext(
          v -> {
            long[] sentHere = {0};
            c.timer =
                vertx.setPeriodic(
                    200 + phase / 1_000_000L,
                    tickMillis,
                    t -> {
                      long now = System.nanoTime();
                      if (now >= run.end) {
                        vertx.cancelTimer(t);
                        return;
                      }
                      if (now < start) {
                        return;
                      }
                      long due = (long) ((now - start) / 1e9 * perSender) + 1;
                      while (sentHere[0] < due) {
                        sentHere[0]++;
                        send(c, run);
                      }
                    });
          });
    }
    Promise<Measurement.Result> done = Promise.promise();
    long drainUntil = run.end + (long) (drainSeconds * 1e9);
    vertx.setPeriodic(
        run.windowNanos / 1_000_000L + 200,
        100,
        t -> {
          long now = System.nanoTime();
          boolean complete = run.receipts() >= run.expectedDeliveries() && waitingAcks() == 0;
          if (now >= drainUntil || (now > run.end + 100_000_000L && complete)) {
            vertx.cancelTimer(t);
            current = null;
            done.complete(run.result());
          }
        });
    return done.future();
  }

  private long waitingAcks() {
    if (!target.liaison()) {
      return 0;
    }
    long waiting = 0;
    for (Conn c : conns) {
      if (c.sender) {
        waiting += c.pending.size(); // racy read of a size, only to end the drain early
      }
    }
    return waiting;
  }

  private void send(Conn c, Measurement run) {
    if (c.ws.writeQueueFull()) {
      run.skippedFull.increment();
      return;
    }
    long id = ++c.nextId;
    long t0 = System.nanoTime();
    String frame;
    if (target.liaison()) {
      LiaisonNetwork.Channel ch = channels.get(c.channel);
      ChannelSession session = ch.senderSession;
      byte[] ciphertext = session.protect(NO_AAD, plaintext);
      run.protectNanos.add(System.nanoTime() - t0);
      frame =
          "{\"type\":\"send\",\"channelId\":\""
              + ch.id
              + "\",\"epoch\":"
              + session.epoch()
              + ",\"clientMessageId\":\""
              + id
              + "\",\"ciphertext\":\""
              + Api.b64(ciphertext)
              + "\"}";
      c.pending.put(id, t0);
    } else {
      frame =
          "{\"type\":\"message\",\"channelId\":\""
              + channelIds[c.channel]
              + "\",\"seq\":"
              + id
              + ",\"ciphertext\":\""
              + rawCiphertext
              + "\"}";
      run.sendTimes.put(Measurement.key(c.channel, id), t0);
    }
    run.sent.increment();
    c.ws.writeTextMessage(frame);
  }

  /** Connections the server closed while the tool was running, by close code. */
  String unexpectedCloses() {
    return closedUnexpectedly.sum() == 0 ? "0" : closedUnexpectedly.sum() + " " + closeCodes;
  }

  Future<Void> close() {
    closing = true;
    List<Future<Void>> closed = new ArrayList<>();
    for (Conn c : conns) {
      if (c.ws != null && !c.ws.isClosed()) {
        closed.add(c.ws.close().otherwiseEmpty());
      }
    }
    return Future.join(closed).transform(v -> client.close());
  }

  /** The ciphertext length (base64 characters) of a real MLS message of this payload size. */
  static int ciphertextChars(int payloadBytes) {
    var identity =
        org.liaison.crypto.mls.DeviceIdentity.generate(
            "00000000000000000000000000000001", "00000000000000000000000000000002");
    var policy = new org.liaison.crypto.mls.ChannelPolicy(0, new java.util.TreeSet<>(), 30, false);
    var groupId = org.liaison.crypto.mls.ChannelGroupId.create(policy);
    ChannelSession session =
        ChannelSession.create(
            identity,
            groupId.encode(),
            org.liaison.crypto.mls.Trust.attestedBy(new byte[32], java.time.Clock.systemUTC()));
    return Api.b64(session.protect(NO_AAD, new byte[payloadBytes])).length();
  }
}
