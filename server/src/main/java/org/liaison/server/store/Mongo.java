package org.liaison.server.store;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoCommandException;
import com.mongodb.MongoWriteException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * Adapters from the driver's reactive-streams publishers to Vert.x futures. The driver signals on
 * its own threads; results are handed back on the Vert.x context that subscribed, so handlers keep
 * Vert.x's single-threaded guarantees.
 */
public final class Mongo {
  private Mongo() {}

  /** A promise completed on the current Vert.x context (or directly, outside any). */
  private static final class OnContext<T> {
    private final Context context = Vertx.currentContext();
    private final Promise<T> promise = Promise.promise();

    void complete(T value) {
      run(() -> promise.tryComplete(value));
    }

    void fail(Throwable error) {
      run(() -> promise.tryFail(error));
    }

    private void run(Runnable action) {
      if (context == null) {
        action.run();
      } else {
        context.runOnContext(v -> action.run());
      }
    }

    Future<T> future() {
      return promise.future();
    }
  }

  /** The first element, or empty; requests one and cancels the rest. */
  public static <T> Future<Optional<T>> optional(Publisher<T> publisher) {
    OnContext<Optional<T>> promise = new OnContext<>();
    publisher.subscribe(
        new Subscriber<T>() {
          private Subscription subscription;
          private boolean done;

          @Override
          public void onSubscribe(Subscription s) {
            subscription = s;
            s.request(1);
          }

          @Override
          public void onNext(T item) {
            if (!done) {
              done = true;
              subscription.cancel();
              promise.complete(Optional.of(item));
            }
          }

          @Override
          public void onError(Throwable t) {
            done = true;
            promise.fail(t);
          }

          @Override
          public void onComplete() {
            promise.complete(Optional.empty());
          }
        });
    return promise.future();
  }

  /** The first element; fails if there is none. */
  public static <T> Future<T> first(Publisher<T> publisher) {
    return optional(publisher)
        .map(o -> o.orElseThrow(() -> new IllegalStateException("store returned no result")));
  }

  /** Every element, for bounded queries (callers set a limit). */
  public static <T> Future<List<T>> list(Publisher<T> publisher) {
    OnContext<List<T>> promise = new OnContext<>();
    List<T> items = new ArrayList<>();
    publisher.subscribe(
        new Subscriber<T>() {
          @Override
          public void onSubscribe(Subscription s) {
            s.request(Long.MAX_VALUE);
          }

          @Override
          public void onNext(T item) {
            items.add(item);
          }

          @Override
          public void onError(Throwable t) {
            promise.fail(t);
          }

          @Override
          public void onComplete() {
            promise.complete(items);
          }
        });
    return promise.future();
  }

  /** True when the store refused a write because a unique index already holds the key. */
  public static boolean isDuplicateKey(Throwable error) {
    if (error instanceof MongoWriteException write) {
      return write.getError().getCategory() == ErrorCategory.DUPLICATE_KEY;
    }
    if (error instanceof MongoCommandException command) {
      return command.getErrorCode() == 11000;
    }
    return false;
  }
}
