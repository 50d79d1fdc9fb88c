package org.liaison.client.load;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Runs {@code count} asynchronous tasks with at most {@code concurrency} in flight, so setup loads
 * the server steadily instead of queueing thousands of requests at once. Fails on the first failure
 * (a load run with a broken setup measures nothing).
 */
final class Bounded {
  private Bounded() {}

  static <T> Future<List<T>> run(
      String what, int count, int concurrency, IntFunction<Future<T>> task) {
    Promise<List<T>> done = Promise.promise();
    if (count == 0) {
      done.complete(List.of());
      return done.future();
    }
    Object[] results = new Object[count];
    AtomicInteger next = new AtomicInteger();
    AtomicInteger remaining = new AtomicInteger(count);
    long started = System.nanoTime();
    int step = Math.max(1, count / 10);
    Runnable[] startNext = new Runnable[1];
    startNext[0] =
        () -> {
          int i = next.getAndIncrement();
          if (i >= count || done.future().isComplete()) {
            return;
          }
          Future<T> f;
          try {
            f = task.apply(i);
          } catch (RuntimeException e) {
            f = Future.failedFuture(e);
          }
          f.onComplete(
              r -> {
                if (r.failed()) {
                  done.tryFail(
                      new LoadException(what + " #" + i + " failed: " + r.cause(), r.cause()));
                  return;
                }
                results[i] = r.result();
                int left = remaining.decrementAndGet();
                int finished = count - left;
                if (finished % step == 0 && left > 0) {
                  Report.progress(
                      "%s: %d/%d (%.0f/s)",
                      what,
                      finished,
                      count,
                      finished / Report.seconds(System.nanoTime() - started));
                }
                if (left == 0) {
                  @SuppressWarnings("unchecked")
                  List<T> list = (List<T>) new ArrayList<>(Arrays.asList(results));
                  done.tryComplete(list);
                } else {
                  startNext[0].run();
                }
              });
        };
    for (int w = 0; w < Math.min(concurrency, count); w++) {
      startNext[0].run();
    }
    return done.future();
  }
}
