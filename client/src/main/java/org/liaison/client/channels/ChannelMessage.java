package org.liaison.client.channels;

import java.time.Instant;

/**
 * A text message as a member's device verified it: {@code senderUserId} and {@code senderDeviceId}
 * are those of the MLS leaf whose signature {@code ChannelSession.unprotect} checked (never the
 * server's say-so; a disagreement drops the message, see {@link ChannelEvent.Dropped}). {@code
 * sentAt} is the sender's clock, inside the encrypted payload.
 */
public record ChannelMessage(
    String channelId,
    long seq,
    String senderUserId,
    String senderDeviceId,
    String text,
    Instant sentAt) {}
