package org.liaison.client.load;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.liaison.crypto.mls.ChannelSession;

/**
 * What the store sustains for the delivery design, through the HTTP API: appends ({@code POST
 * /channels/{id}/messages}, which the server batches per channel into one ordered {@code
 * insertMany}) from many concurrent senders spread over channels and into one hot channel, and
 * catch-up reads ({@code GET /channels/{id}/messages?after=..&limit=100}) at random offsets of a
 * long channel.
 */
final class StoreLoad {
  private static final byte[] NO_AAD = new byte[0];

  private final Vertx vertx;
  private final Api api;
  private final byte[] plaintext;

  StoreLoad(Vertx vertx, Api api, int payloadBytes) {
    this.vertx = vertx;
    this.api = api;
    this.plaintext = new byte[payloadBytes];
    new SecureRandom().nextBytes(plaintext);
  }

  /** Figures of one phase. */
  record Result(
      String phase,
      long ok,
      double perSecond,
      Report.Percentiles latency,
      long errors,
      long maxSeq) {
    String line() {
      return String.format(
          java.util.Locale.ROOT,
          "store %s: %d ok, %.0f/s, request latency p50 %s p99 %s max %s, errors %d",
          phase,
          ok,
          perSecond,
          Report.ms(latency.p50),
          Report.ms(latency.p99),
          Report.ms(latency.max),
          errors);
    }
  }

  /** Latencies of one phase, from any thread. */
  private static final class Sample {
    private long[] values = new long[1 << 14];
    private int count;
    final LongAdder ok = new LongAdder();
    final LongAdder errors = new LongAdder();
    final AtomicLong maxSeq = new AtomicLong();
    volatile String firstError;

    synchronized void add(long nanos) {
      if (count == values.length) {
        values = java.util.Arrays.copyOf(values, count * 2);
      }
      values[count++] = nanos;
    }

    synchronized Report.Percentiles percentiles() {
      return new Report.Percentiles(values.clone(), count);
    }
  }

  /**
   * Appends to these channels, {@code perChannel} requests in flight on each, for {@code seconds}
   * or until {@code limit} messages are accepted. Each message is a fresh MLS PrivateMessage from
   * the channel's creator; a channel's requests chain on one context, so its MLS state is used by
   * one thread.
   */
  Future<Result> appends(
      String phase,
      List<LiaisonNetwork.Channel> channels,
      int perChannel,
      double seconds,
      long limit) {
    Sample sample = new Sample();
    AtomicLong accepted = new AtomicLong();
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    AtomicLong idSource = new AtomicLong(System.currentTimeMillis() * 1000);
    List<Future<Void>> loops = new ArrayList<>();
    for (LiaisonNetwork.Channel ch : channels) {
      Context context = vertx.getOrCreateContext();
      for (int k = 0; k < perChannel; k++) {
        Promise<Void> loop = Promise.promise();
        loops.add(loop.future());
        context.runOnContext(v -> appendLoop(ch, sample, accepted, end, limit, idSource, loop));
      }
    }
    return Future.join(new ArrayList<>(loops))
        .transform(
            v -> {
              double elapsed = Report.seconds(System.nanoTime() - start);
              if (sample.firstError != null) {
                Report.progress("first error: %s", sample.firstError);
              }
              return Future.succeededFuture(
                  new Result(
                      phase,
                      sample.ok.sum(),
                      sample.ok.sum() / elapsed,
                      sample.percentiles(),
                      sample.errors.sum(),
                      sample.maxSeq.get()));
            });
  }

  private void appendLoop(
      LiaisonNetwork.Channel ch,
      Sample sample,
      AtomicLong accepted,
      long end,
      long limit,
      AtomicLong ids,
      Promise<Void> loop) {
    if (System.nanoTime() >= end || accepted.get() >= limit) {
      loop.tryComplete();
      return;
    }
    long t0 = System.nanoTime();
    ChannelSession session = ch.senderSession;
    byte[] ciphertext = session.protect(NO_AAD, plaintext);
    JsonObject body =
        new JsonObject()
            .put("epoch", session.epoch())
            .put("clientMessageId", "s" + ids.incrementAndGet())
            .put("ciphertext", Api.b64(ciphertext));
    api.post("/channels/" + ch.id + "/messages", ch.members.get(0).token(), body, 201)
        .onComplete(
            r -> {
              if (r.succeeded()) {
                sample.add(System.nanoTime() - t0);
                sample.ok.increment();
                sample.maxSeq.accumulateAndGet(r.result().getLong("seq"), Math::max);
                accepted.incrementAndGet();
              } else {
                sample.errors.increment();
                if (sample.firstError == null) {
                  sample.firstError = String.valueOf(r.cause().getMessage());
                }
              }
              appendLoop(ch, sample, accepted, end, limit, ids, loop);
            });
  }

  /** Random catch-up pages of {@code limit} entries of a channel whose head is {@code head}. */
  Future<Result> reads(
      LiaisonNetwork.Channel ch, long head, int limit, int concurrency, double seconds) {
    Sample sample = new Sample();
    LongAdder entries = new LongAdder();
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    List<Future<Void>> loops = new ArrayList<>();
    for (int k = 0; k < concurrency; k++) {
      Promise<Void> loop = Promise.promise();
      loops.add(loop.future());
      LiaisonNetwork.Device reader = ch.members.get(1 + k % (ch.members.size() - 1));
      vertx
          .getOrCreateContext()
          .runOnContext(v -> readLoop(ch, reader, head, limit, end, sample, entries, loop));
    }
    return Future.join(new ArrayList<>(loops))
        .transform(
            v -> {
              double elapsed = Report.seconds(System.nanoTime() - start);
              if (sample.firstError != null) {
                Report.progress("first error: %s", sample.firstError);
              }
              Report.out(
                  "store catch-up: %d entries read, %.0f entries/s",
                  entries.sum(), entries.sum() / elapsed);
              return Future.succeededFuture(
                  new Result(
                      "catch-up reads (pages of " + limit + ")",
                      sample.ok.sum(),
                      sample.ok.sum() / elapsed,
                      sample.percentiles(),
                      sample.errors.sum(),
                      head));
            });
  }

  private void readLoop(
      LiaisonNetwork.Channel ch,
      LiaisonNetwork.Device reader,
      long head,
      int limit,
      long end,
      Sample sample,
      LongAdder entries,
      Promise<Void> loop) {
    if (System.nanoTime() >= end) {
      loop.tryComplete();
      return;
    }
    long after = ThreadLocalRandom.current().nextLong(1, Math.max(2, head - limit));
    long t0 = System.nanoTime();
    api.get(
            "/channels/" + ch.id + "/messages?after=" + after + "&limit=" + limit,
            reader.token(),
            200)
        .onComplete(
            r -> {
              if (r.succeeded()) {
                int got = r.result().getJsonArray("items").size();
                if (got != limit) {
                  sample.errors.increment();
                  if (sample.firstError == null) {
                    sample.firstError = "page after " + after + " had " + got + " entries";
                  }
                } else {
                  sample.add(System.nanoTime() - t0);
                  sample.ok.increment();
                  entries.add(got);
                }
              } else {
                sample.errors.increment();
                if (sample.firstError == null) {
                  sample.firstError = String.valueOf(r.cause().getMessage());
                }
              }
              readLoop(ch, reader, head, limit, end, sample, entries, loop);
            });
  }
}
