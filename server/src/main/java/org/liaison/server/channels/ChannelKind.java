package org.liaison.server.channels;

import org.liaison.server.api.WireEnum;

/** What a channel is for; it changes nothing in the protocol, clients present them differently. */
public enum ChannelKind {
  CASE,
  TEAM,
  EXCHANGE,
  ANNOUNCEMENT;

  public String wire() {
    return WireEnum.name(this);
  }

  public static ChannelKind parse(String raw) {
    return WireEnum.parse(ChannelKind.class, raw);
  }

  public static final String ALLOWED = WireEnum.allowed(ChannelKind.class);
}
