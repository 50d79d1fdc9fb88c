package org.liaison.client.channels;

import java.util.List;
import java.util.Optional;
import org.liaison.client.channels.ChannelEvent.MemberRef;
import org.liaison.crypto.mls.ChannelPolicy;

/**
 * A channel as this device sees it: the server's record, the policy from the MLS group id (checked
 * against the server's), and the name and description when this device holds the key of the epoch
 * they were written in.
 */
public record ChannelInfo(
    String id,
    String kind,
    ChannelPolicy policy,
    long epoch,
    List<String> owners,
    List<MemberRef> members,
    Optional<ChannelMeta> meta,
    long firstSeq,
    boolean joined) {
  public String displayName() {
    return meta.map(ChannelMeta::name).filter(n -> !n.isEmpty()).orElse("(name not readable)");
  }
}
