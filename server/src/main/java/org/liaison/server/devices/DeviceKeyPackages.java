package org.liaison.server.devices;

import io.vertx.core.Future;

/**
 * What revoking or re-attesting a device needs from the key directory: that the device's key
 * packages can never be claimed or added again (revoked: the device is gone; attested anew: every
 * package's credential carries the old attestation, which members would refuse, so the device
 * uploads new ones when it hears it is active again). The key directory depends on devices (it
 * checks uploads against the device), so it implements this rather than devices depending back on
 * it.
 */
public interface DeviceKeyPackages {
  Future<Void> forgetDevice(String deviceId);
}
