package org.liaison.client.channels;

import java.util.List;

/**
 * What happens to a device's channels besides messages. Each names its channel, except {@link
 * Network}, which is about all of them.
 */
public sealed interface ChannelEvent {
  String channelId();

  /** A device of a channel member, as a commit entry names it. */
  record MemberRef(int leaf, String userId, String deviceId) {}

  /**
   * This device joined at the commit with this seq, now at this epoch: from a Welcome, or, when the
   * Welcome was for a key package of an earlier run of this device, by rejoining at once.
   */
  record Joined(String channelId, long seq, long epoch) implements ChannelEvent {}

  /**
   * This device was removed by the commit at {@code seq} (or {@code -1} when it learnt so from the
   * server's channel list on reconnecting); nothing more of the channel follows.
   */
  record Removed(String channelId, long seq) implements ChannelEvent {}

  /** A commit was verified and applied: the channel is now at {@code epoch}. */
  record MembersChanged(
      String channelId, long seq, long epoch, List<MemberRef> added, List<MemberRef> removed)
      implements ChannelEvent {}

  /**
   * Entries {@code fromSeq..toSeq} cannot be read by this device: {@code EXPIRED} by retention, or
   * {@code RESYNCED} because the device lost its MLS state (a restart) and rejoined by external
   * commit at {@code toSeq}: messages sent meanwhile were for keys it no longer holds.
   */
  record HistoryUnavailable(String channelId, long fromSeq, long toSeq, Why why)
      implements ChannelEvent {
    public enum Why {
      EXPIRED,
      RESYNCED
    }
  }

  /**
   * A message entry that was not delivered: it did not decrypt or verify, or the MLS-verified
   * sender differs from the device the server named ({@code reason} says which).
   */
  record Dropped(String channelId, long seq, String reason) implements ChannelEvent {}

  /**
   * The channel is no longer followed: a commit brought in a member this device's trust refuses (no
   * attestation from the configured root, or below the channel's policy), or the server's channel
   * does not match its group id. The device stops processing it.
   */
  record Refused(String channelId, long seq, String reason) implements ChannelEvent {}

  /**
   * This device lost its state for the channel and cannot rejoin it: e.g. it is the channel's only
   * member (bcmls cannot commit an epoch with one member, so an external commit replacing its own
   * leaf fails). The channel stays listed; another member adding this user again brings it back.
   */
  record Stranded(String channelId, String reason) implements ChannelEvent {}

  /** This device's commit lost a race for {@code lostEpoch}; it caught up and committed again. */
  record Rebased(String channelId, long lostEpoch, long retryEpoch) implements ChannelEvent {}

  /**
   * The network's trust changed: a {@code network-updated} frame ({@code reason} is the server's:
   * {@code root-key}, {@code attestations-revoked}), or what this device found when connecting.
   * {@code trusted} is false when the server now names another network root than the one this
   * device was configured with: the device refuses it ({@link UntrustedServerException}) and
   * disconnects. {@code detail} says what the device made of it. Names no channel: {@link
   * #channelId()} is empty.
   */
  record Network(String reason, boolean trusted, String detail) implements ChannelEvent {
    @Override
    public String channelId() {
      return "";
    }
  }
}
