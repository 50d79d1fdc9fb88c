package org.liaison.server.delivery;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;
import org.liaison.server.accounts.User;
import org.liaison.server.accounts.UserRepository;
import org.liaison.server.channels.Channel;
import org.liaison.server.channels.ChannelRepository;
import org.liaison.server.channels.Policies;
import org.liaison.server.channels.RemovalDue;
import org.liaison.server.events.Events;

/**
 * Removals a channel's members owe: a member asked to leave, a device was revoked, a member was
 * suspended or no longer meets the channel's policy. Each is stored with the channel (so members
 * who were offline carry it out when they next load their channels) and announced live with {@code
 * channel-updated}; a commit that removes the leaves settles it ({@link CommitRecords}). MLS does
 * not let a member remove itself, so the others do it.
 */
final class DueRemovals {
  private final ChannelStates states;
  private final ChannelRepository channels;
  private final UserRepository users;
  private final ChannelNotices notices;

  DueRemovals(
      Vertx vertx,
      ChannelStates states,
      ChannelRepository channels,
      UserRepository users,
      ChannelNotices notices) {
    this.states = states;
    this.channels = channels;
    this.users = users;
    this.notices = notices;
    // One node handles each (send, not publish), and tells the channels' members.
    EventBus bus = vertx.eventBus();
    bus.<JsonObject>localConsumer(
        Events.DEVICE_REVOKED,
        m -> deviceRevoked(m.body().getString("userId"), m.body().getString("deviceId")));
    bus.<JsonObject>localConsumer(
        Events.USER_SUSPENDED, m -> userSuspended(m.body().getString("userId")));
    bus.<JsonObject>localConsumer(
        Events.USER_CHANGED,
        m -> userChanged(m.body().getString("userId")).onComplete(done -> m.reply(null)));
  }

  /** The user asks to leave the channel: any member may now commit the removal of their leaves. */
  Future<Channel> leaveRequested(ChannelState s, String userId) {
    s.leaveRequested(userId);
    return save(s).map(v -> s.view()).onSuccess(c -> notices.leaveRequested(s.id(), userId));
  }

  private void deviceRevoked(String userId, String deviceId) {
    due(
        new RemovalDue(userId, deviceId, RemovalDue.Reason.DEVICE_REVOKED),
        s -> notices.deviceRevoked(s.id(), userId, deviceId));
  }

  private void userSuspended(String userId) {
    due(
        RemovalDue.ofUser(userId, RemovalDue.Reason.MEMBER_SUSPENDED),
        s -> notices.memberSuspended(s.id(), userId));
  }

  /** A tier (later also sector or city) change: due where the user no longer meets the policy. */
  private Future<Void> userChanged(String userId) {
    return users
        .byId(userId)
        .compose(
            found ->
                found.filter(User::active).map(this::tierLowered).orElse(Future.succeededFuture()));
  }

  private Future<Void> tierLowered(User user) {
    return states.confined(
        () ->
            states
                .ofUser(user.id())
                .compose(
                    found ->
                        Future.join(
                                found.stream()
                                    .filter(
                                        s -> Policies.breaks(s.created().policy(), user) != null)
                                    .map(
                                        s ->
                                            record(
                                                s,
                                                RemovalDue.ofUser(
                                                    user.id(), RemovalDue.Reason.TIER_LOWERED),
                                                c -> notices.tierLowered(c.id(), user.id())))
                                    .toList())
                            .<Void>mapEmpty()));
  }

  /** Records {@code due} in every channel where it has a leaf to remove, and tells each. */
  private void due(RemovalDue due, Consumer<ChannelState> notice) {
    states.confined(
        () ->
            states
                .ofUser(due.userId())
                .compose(
                    found ->
                        Future.join(
                            found.stream()
                                .filter(s -> due.pendingIn(s.leaves()))
                                .map(s -> record(s, due, notice))
                                .toList())));
  }

  /** Stores the removal if it is new; the live notice goes out either way (as it always did). */
  private Future<Void> record(ChannelState s, RemovalDue due, Consumer<ChannelState> notice) {
    Future<Void> saved = s.removalDue(due) ? save(s) : Future.succeededFuture();
    return saved.onComplete(done -> notice.accept(s));
  }

  private Future<Void> save(ChannelState s) {
    return channels.setRemovals(s.id(), s.leaving(), s.removalsDue());
  }
}
