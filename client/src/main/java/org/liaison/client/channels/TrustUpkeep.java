package org.liaison.client.channels;

import static org.liaison.client.channels.DeviceContext.LOG;
import static org.liaison.client.channels.DeviceContext.done;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Keeping channels in line with what the network says, when it says it (docs/protocol.md, trust
 * lifecycle): the network root published after people registered ({@code network-updated}, reason
 * {@code root-key}), attestations revoked ({@code attestations-revoked}), and removals due in a
 * channel, announced live ({@code channel-updated}) or listed in its record ({@code removalsDue}),
 * read again on every connect so that members who were offline carry them out too. Removals go
 * through {@link MembershipChanges#carryOut}, members are checked again through {@link
 * ChannelLog#reverify}. Runs on the device's context; each channel's work in its queue.
 */
final class TrustUpkeep {
  private final DeviceContext ctx;
  private final NetworkTrust network;
  private final RealtimeConnection connection;
  private final ChannelDirectory directory;
  private final MembershipChanges membership;
  private final LogFollower follower;

  TrustUpkeep(
      DeviceContext ctx,
      NetworkTrust network,
      RealtimeConnection connection,
      ChannelDirectory directory,
      MembershipChanges membership,
      LogFollower follower) {
    this.ctx = ctx;
    this.network = network;
    this.connection = connection;
    this.directory = directory;
    this.membership = membership;
    this.follower = follower;
  }

  /**
   * Whether channels this run holds no state for may be rejoined now: not while the server names no
   * network root (nobody can be attested then; they are rejoined once it does).
   */
  boolean rejoinAllowed() {
    return network.rootConfirmed();
  }

  // ---- connecting -----------------------------------------------------------------------------

  /**
   * Before the channels are joined or rejoined on {@code ready}: the revocation list read on from
   * where it was, so every check from here on applies it. Answers whether it grew.
   */
  Future<Boolean> beforeChannels() {
    if (!network.rootConfirmed()) {
      ctx.emit(
          new ChannelEvent.Network(
              "root-key", true, "the server names no network root yet; channels wait for it"));
    }
    return network
        .fetchRevocations()
        .recover(
            e -> {
              LOG.warn("attestation revocation list: {}", e.toString());
              return Future.succeededFuture(false);
            });
  }

  /**
   * After the channels are joined or rejoined on {@code ready}: the removals due in each channel
   * followed (one listing for all), and, if the revocation list grew while this device was away,
   * every member checked again.
   */
  Future<Void> afterChannels(boolean revocationsGrew) {
    return ctx.client
        .channels()
        .map(
            items -> {
              for (int i = 0; i < items.size(); i++) {
                JsonObject record = items.getJsonObject(i);
                ChannelState ch =
                    record.getValue("id") instanceof String id ? ctx.existing(id) : null;
                if (ch != null) {
                  List<DueRemoval> due = DueRemoval.fromChannel(record);
                  ch.serial(() -> membership.carryOutNow(ch, due))
                      .onFailure(e -> ctx.warn(ch, "removal for " + DueRemoval.describe(due), e));
                }
              }
              if (revocationsGrew) {
                List.copyOf(ctx.channels()).forEach(this::reverify);
              }
              return (Void) null;
            })
        .recover(
            e -> {
              LOG.warn("channel list for the removals due: {}", e.toString());
              return done();
            });
  }

  // ---- frames ---------------------------------------------------------------------------------

  /** A {@code network-updated} frame. */
  Future<Void> networkUpdated(String reason) {
    return switch (reason) {
      case "root-key" -> rootKey();
      case "attestations-revoked" -> revocations();
      default -> {
        LOG.info("network-updated for an unknown reason: {}", reason);
        yield done();
      }
    };
  }

  /**
   * The root key was set: read {@code GET /network} again. The configured root: rejoin the channels
   * that waited for it, retry those whose members were refused, check everyone again. Another root:
   * refused as when connecting, and the connection closed.
   */
  private Future<Void> rootKey() {
    return network
        .checkRoot()
        .compose(
            root -> {
              if (root == NetworkTrust.Root.NOT_PUBLISHED) {
                ctx.emit(
                    new ChannelEvent.Network(
                        "root-key", true, "the server names no network root yet"));
                return done();
              }
              ctx.emit(
                  new ChannelEvent.Network(
                      "root-key", true, "the server names the configured network root"));
              List.copyOf(ctx.channels()).forEach(this::verifyOrRejoin);
              return done();
            },
            e -> {
              if (e instanceof UntrustedServerException) {
                ctx.emit(new ChannelEvent.Network("root-key", false, e.getMessage()));
                return connection.disconnect().transform(v -> Future.<Void>failedFuture(e));
              }
              return Future.failedFuture(e);
            });
  }

  /**
   * Attestations were revoked: read the list on; if it grew, carry out the removals due in each
   * channel followed (a revoked device is usually one of them), then check who is left.
   */
  private Future<Void> revocations() {
    return network
        .fetchRevocations()
        .map(
            grew -> {
              ctx.emit(
                  new ChannelEvent.Network(
                      "attestations-revoked",
                      true,
                      ctx.revoked().size() + " device attestation(s) revoked"));
              if (grew) {
                for (ChannelState ch : List.copyOf(ctx.channels())) {
                  ch.serial(
                          () ->
                              !ch.active()
                                  ? done()
                                  : dueIn(ch, Optional.empty())
                                      .compose(due -> membership.carryOutNow(ch, due))
                                      .recover(e -> ctx.warned(ch, "removals due", e))
                                      .compose(v -> verifyNow(ch)))
                      .onFailure(e -> ctx.warn(ch, "member check", e));
                }
              }
              return (Void) null;
            });
  }

  /**
   * A {@code channel-updated} frame (other than this device's own removal or creation): the record
   * read again (its name, its removals due) and the removals carried out, with the one the frame
   * announces even if the record cannot be read.
   */
  void channelUpdated(ChannelState ch, JsonObject frame) {
    Optional<DueRemoval> announced = DueRemoval.fromFrame(frame);
    ch.serial(() -> dueIn(ch, announced).compose(due -> membership.carryOutNow(ch, due)))
        .onFailure(e -> ctx.warn(ch, "channel update", e));
  }

  /** The record's removals due, with {@code announced}; the record read as {@link #directory}. */
  private Future<List<DueRemoval>> dueIn(ChannelState ch, Optional<DueRemoval> announced) {
    return directory
        .load(ch)
        .map(DueRemoval::fromChannel)
        .recover(
            e -> {
              ctx.warn(ch, "channel record", e);
              return Future.succeededFuture(List.of());
            })
        .map(
            listed -> {
              List<DueRemoval> due = new ArrayList<>(listed);
              announced.ifPresent(due::add);
              return due;
            });
  }

  // ---- checking members again -----------------------------------------------------------------

  /** In the channel's queue: members checked again; one now refused stops the channel. */
  private void reverify(ChannelState ch) {
    ch.serial(() -> verifyNow(ch)).onFailure(e -> ctx.warn(ch, "member check", e));
  }

  private Future<Void> verifyNow(ChannelState ch) {
    if (ch.active()) {
      ch.log.reverify().event().ifPresent(ctx::emit);
    }
    return done();
  }

  /**
   * After the root was confirmed: a followed channel's members checked again; a channel this run
   * holds no state for (it waited for the root) or whose members were refused is rejoined, which
   * checks every member of its latest GroupInfo.
   */
  private void verifyOrRejoin(ChannelState ch) {
    ch.serial(
            () -> {
              if (ch.active()) {
                return verifyNow(ch);
              }
              boolean waiting = ch.log == null && !ch.stranded;
              boolean refused = ch.log != null && ch.log.state() == ChannelLog.State.REFUSED;
              return (waiting || refused) && ctx.options.followAll() ? follower.resync(ch) : done();
            })
        .onFailure(e -> ctx.warn(ch, "rejoin after the root was published", e));
  }
}
