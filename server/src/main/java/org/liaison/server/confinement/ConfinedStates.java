package org.liaison.server.confinement;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * In-memory states (of channels, of documents) that live on one Vert.x context: every read or
 * change runs there ({@link #confined}), so the states need no locks. A state is loaded once on
 * first use, concurrent users share the load, a failed load is forgotten, and idle states beyond
 * the limit are dropped least recently used first. The states are hints the store can always
 * rebuild; correctness comes from the store.
 */
public final class ConfinedStates<S> {
  private final Context context;
  private final int maxStates;
  private final Predicate<S> idle;
  private final LinkedHashMap<String, Future<S>> states = new LinkedHashMap<>(1024, 0.75f, true);

  public ConfinedStates(Vertx vertx, int maxStates, Predicate<S> idle) {
    this.context = vertx.getOrCreateContext();
    this.maxStates = maxStates;
    this.idle = idle;
  }

  /** The state under {@code id}; {@code load} runs only when no load is known or under way. */
  public Future<S> get(String id, Supplier<Future<S>> load) {
    Future<S> known = states.get(id);
    if (known != null) {
      return known;
    }
    Future<S> loading = load.get();
    states.put(id, loading);
    loading.onFailure(e -> states.remove(id, loading));
    evictIdle();
    return loading;
  }

  /** After a store failure the state may be wrong: the next use loads it again. */
  public void forget(String id) {
    states.remove(id);
  }

  /** Runs {@code work} on the context where the states live. */
  public <T> Future<T> confined(Supplier<Future<T>> work) {
    if (Vertx.currentContext() == context) {
      return work.get();
    }
    Promise<T> result = Promise.promise();
    context.runOnContext(
        v -> {
          try {
            work.get().onComplete(result);
          } catch (RuntimeException e) {
            result.fail(e);
          }
        });
    return result.future();
  }

  private void evictIdle() {
    Iterator<Map.Entry<String, Future<S>>> oldest = states.entrySet().iterator();
    while (states.size() > maxStates && oldest.hasNext()) {
      Future<S> candidate = oldest.next().getValue();
      if (candidate.succeeded() && idle.test(candidate.result())) {
        oldest.remove();
      } else {
        break;
      }
    }
  }
}
