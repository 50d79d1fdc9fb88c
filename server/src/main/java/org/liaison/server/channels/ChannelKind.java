package org.liaison.server.channels;

import org.liaison.server.api.WireEnum;

/**
 * What a channel is for; it changes nothing in the protocol, clients present them differently.
 * {@code direct} is a private conversation of two people (a reply to a broadcast). {@code
 * announcement} is no longer made (announcements are broadcasts, docs/broadcasts.md): channels made
 * with it before still load and show as teams.
 */
public enum ChannelKind {
  CASE,
  TEAM,
  EXCHANGE,
  ANNOUNCEMENT,
  DIRECT;

  /** Kinds a new channel may have: every kind but the retired {@code announcement}. */
  public static final String CREATABLE = "case, team, exchange, direct";

  public String wire() {
    return WireEnum.name(this);
  }

  public static ChannelKind parse(String raw) {
    return WireEnum.parse(ChannelKind.class, raw);
  }

  public static final String ALLOWED = WireEnum.allowed(ChannelKind.class);
}
