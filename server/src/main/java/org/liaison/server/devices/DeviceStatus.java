package org.liaison.server.devices;

import org.liaison.server.api.WireEnum;

/**
 * A device is usable in channels only when active: attested by a coordinator, not revoked. A new
 * device awaits its first attestation; an active one goes back to pending when its owner's tier or
 * role changes (the attestation no longer states the truth) until a coordinator confirms it again.
 */
public enum DeviceStatus {
  AWAITING_ATTESTATION,
  PENDING,
  ACTIVE,
  REVOKED;

  public String wire() {
    return WireEnum.name(this);
  }

  public static DeviceStatus parse(String raw) {
    return WireEnum.parse(DeviceStatus.class, raw);
  }
}
