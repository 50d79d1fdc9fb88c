package org.liaison.crypto.mls;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import org.liaison.crypto.Labels;
import org.liaison.crypto.codec.CanonicalReader;
import org.liaison.crypto.codec.CanonicalWriter;
import org.liaison.crypto.codec.DecodeException;

/**
 * A channel's MLS group id: its 16 random id bytes and its {@link ChannelPolicy}. Used as the group
 * id when the channel is created, it places the (immutable) policy in the MLS GroupContext, which
 * every member signs and derives keys from; so each member can compare the server's claimed policy
 * with the group's own. (bcmls' closed {@code ExtensionType} enum rules out a custom group-context
 * extension for this.)
 *
 * <pre>
 * struct {
 *   opaque label&lt;0..255&gt; = "liaison/v1/channel";
 *   opaque channel_id&lt;0..255&gt;;  // exactly 16 bytes
 *   opaque policy&lt;0..65535&gt;;    // ChannelPolicy
 * }
 * </pre>
 */
public record ChannelGroupId(byte[] channelId, ChannelPolicy policy) {
  public static final int ID_LENGTH = 16;
  private static final int MAX_POLICY = 8192;
  private static final SecureRandom RANDOM = new SecureRandom();

  public ChannelGroupId {
    if (channelId == null || channelId.length != ID_LENGTH) {
      throw new IllegalArgumentException("a channel id is " + ID_LENGTH + " bytes");
    }
    if (policy == null) {
      throw new IllegalArgumentException("a channel has a policy");
    }
    channelId = channelId.clone();
  }

  /** A new channel with a random id. */
  public static ChannelGroupId create(ChannelPolicy policy) {
    byte[] id = new byte[ID_LENGTH];
    RANDOM.nextBytes(id);
    return new ChannelGroupId(id, policy);
  }

  @Override
  public byte[] channelId() {
    return channelId.clone();
  }

  /** The channel id as the API spells it: 32 lower-case hex characters. */
  public String channelIdHex() {
    return HexFormat.of().formatHex(channelId);
  }

  /** The MLS group id bytes. */
  public byte[] encode() {
    return new CanonicalWriter()
        .text8(Labels.CHANNEL)
        .opaque8(channelId)
        .opaque16(policy.encode())
        .toByteArray();
  }

  /** Decodes a group id made by {@link #encode()}; anything else is a {@link DecodeException}. */
  public static ChannelGroupId decode(byte[] groupId) {
    if (groupId == null) {
      throw new DecodeException("no group id");
    }
    CanonicalReader in = new CanonicalReader(groupId);
    if (!Labels.CHANNEL.equals(in.text8("label", Labels.CHANNEL.length()))) {
      throw new DecodeException("not a Liaison channel group id");
    }
    byte[] id = in.opaque8("channel id", ID_LENGTH);
    if (id.length != ID_LENGTH) {
      throw new DecodeException("channel id is not " + ID_LENGTH + " bytes");
    }
    ChannelPolicy policy = ChannelPolicy.decode(in.opaque16("policy", MAX_POLICY));
    in.end();
    return new ChannelGroupId(id, policy);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ChannelGroupId that
        && Arrays.equals(channelId, that.channelId)
        && policy.equals(that.policy);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(channelId) + policy.hashCode();
  }

  @Override
  public String toString() {
    return "ChannelGroupId[" + channelIdHex() + " " + policy.describe() + "]";
  }
}
