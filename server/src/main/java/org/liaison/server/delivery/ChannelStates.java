package org.liaison.server.delivery;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.liaison.server.api.ApiError;
import org.liaison.server.channels.ChannelRepository;
import org.liaison.server.confinement.ConfinedStates;

/**
 * This node's channel states, loaded on first use and kept up to date by its own appends, and the
 * one Vert.x context they live on: every read or change of a state runs there ({@link #confined}),
 * so none of them needs a lock. Idle states beyond {@link #MAX_STATES} are dropped oldest first.
 */
final class ChannelStates {
  private static final int MAX_STATES = 20_000;
  private static final int CATCH_UP_PAGE = 500;

  private final ChannelRepository channels;
  private final ChannelLog log;
  private final ConfinedStates<ChannelState> states;

  ChannelStates(Vertx vertx, ChannelRepository channels, ChannelLog log) {
    this.channels = channels;
    this.log = log;
    this.states = new ConfinedStates<>(vertx, MAX_STATES, ChannelState::idle);
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
    return states.get(
        channelId,
        () ->
            channels
                .byId(channelId)
                .compose(
                    found ->
                        found.isEmpty()
                            ? Future.failedFuture(ApiError.channelNotFound())
                            : catchUp(new ChannelState(found.get()))));
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
    states.forget(channelId);
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

  /** Runs {@code work} on the context where all channel state lives. */
  <T> Future<T> confined(Supplier<Future<T>> work) {
    return states.confined(work);
  }
}
