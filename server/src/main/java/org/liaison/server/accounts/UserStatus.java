package org.liaison.server.accounts;

import org.liaison.server.api.WireEnum;

public enum UserStatus {
  ACTIVE,
  SUSPENDED,
  /** Deleted by its owner: personal fields erased, devices revoked, never active again. */
  DELETED;

  public String wire() {
    return WireEnum.name(this);
  }

  public static UserStatus parse(String raw) {
    return WireEnum.parse(UserStatus.class, raw);
  }
}
