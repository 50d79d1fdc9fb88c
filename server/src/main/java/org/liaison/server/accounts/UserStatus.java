package org.liaison.server.accounts;

import org.liaison.server.api.WireEnum;

public enum UserStatus {
  ACTIVE,
  SUSPENDED;

  public String wire() {
    return WireEnum.name(this);
  }

  public static UserStatus parse(String raw) {
    return WireEnum.parse(UserStatus.class, raw);
  }
}
