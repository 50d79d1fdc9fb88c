package org.liaison.server.delivery;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.liaison.server.api.ApiError;
import org.liaison.server.channels.ChannelRepository;

/**
 * This node's channel states, loaded on first use and kept up to date by its own appends, and the
 * one Vert.x context they live on: every read or change of a state runs there ({@link #confined}),
 * so none of them needs a lock. Idle states beyond {@link #MAX_STATES} are dropped oldest first.
 */
final class ChannelStates {
  private static final int MAX_STATES = 20_000;
  private static final int CATCH_UP_PAGE = 500;

  private final Context context;
  private final ChannelRepository channels;
  private final ChannelLog log;
  private final LinkedHashMap<String, Future<ChannelState>> states =
      new LinkedHashMap<>(1024, 0.75f, true);

  ChannelStates(Vertx vertx, ChannelRepository channels, ChannelLog log) {
    this.context = vertx.getOrCreateContext();
    this.channels = channels;
    this.log = log;
  }

  /** The state of a channel whose member this device is; 404 for anyone else. */
  Future<ChannelState> member(String channelId, String deviceId) {
    return state(channelId)
        .map(
            s -> {
              if (s.leafOf(deviceId) < 0) {
                throw ApiError.channelNotFound();
              }
              return s;
            });
  }

  /** The state of a channel, loaded from its snapshot and the log after it on first use. */
  Future<ChannelState> state(String channelId) {
    Future<ChannelState> known = states.get(channelId);
    if (known != null) {
      return known;
    }
    Future<ChannelState> loading =
        channels
            .byId(channelId)
            .compose(
                found ->
                    found.isEmpty()
                        ? Future.failedFuture(ApiError.channelNotFound())
                        : catchUp(new ChannelState(found.get())));
    states.put(channelId, loading);
    loading.onFailure(e -> states.remove(channelId, loading));
    evictIdle();
    return loading;
  }

  /**
   * The states of the channels where this user holds a leaf; one that fails to load is left out.
   */
  Future<List<ChannelState>> ofUser(String userId) {
    return channels
        .channelsOf(userId)
        .compose(
            ids -> {
              List<Future<ChannelState>> loaded =
                  ids.stream().map(id -> state(id).otherwiseEmpty()).toList();
              return Future.join(new ArrayList<>(loaded))
                  .transform(
                      done ->
                          Future.succeededFuture(
                              loaded.stream()
                                  .filter(Future::succeeded)
                                  .map(Future::result)
                                  .filter(Objects::nonNull)
                                  .filter(s -> s.hasUser(userId))
                                  .toList()));
            });
  }

  /** After a store failure the state may be wrong: the next use loads it again. */
  void forget(String channelId) {
    states.remove(channelId);
  }

  /** Reads the log forward from the state's head and applies what other nodes appended. */
  Future<ChannelState> catchUp(ChannelState s) {
    return log.range(s.id(), s.head() + 1, CATCH_UP_PAGE)
        .compose(
            page -> {
              page.forEach(s::apply);
              return page.size() == CATCH_UP_PAGE ? catchUp(s) : Future.succeededFuture(s);
            });
  }

  private void evictIdle() {
    Iterator<Map.Entry<String, Future<ChannelState>>> oldest = states.entrySet().iterator();
    while (states.size() > MAX_STATES && oldest.hasNext()) {
      Future<ChannelState> candidate = oldest.next().getValue();
      if (candidate.succeeded() && candidate.result().idle()) {
        oldest.remove();
      } else {
        break;
      }
    }
  }

  /** Runs {@code work} on the context where all channel state lives. */
  <T> Future<T> confined(Supplier<Future<T>> work) {
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
}
