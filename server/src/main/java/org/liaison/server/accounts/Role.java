package org.liaison.server.accounts;

import org.liaison.server.api.WireEnum;

/** What a user may administer, ordered from least to most. */
public enum Role {
  MEMBER,
  CITY_COORDINATOR,
  NETWORK_ADMIN;

  public boolean atLeast(Role other) {
    return compareTo(other) >= 0;
  }

  public String wire() {
    return WireEnum.name(this);
  }

  public static Role parse(String raw) {
    return WireEnum.parse(Role.class, raw);
  }
}
