package org.liaison.server.devices;

import org.liaison.server.api.WireEnum;

/** A device is usable in channels only when active: attested by a coordinator, not revoked. */
public enum DeviceStatus {
  AWAITING_ATTESTATION,
  ACTIVE,
  REVOKED;

  public String wire() {
    return WireEnum.name(this);
  }

  public static DeviceStatus parse(String raw) {
    return WireEnum.parse(DeviceStatus.class, raw);
  }
}
