package org.liaison.server.devices;

import io.vertx.core.Future;

/**
 * What revoking a device needs from the key directory: that the device's key packages can never be
 * claimed or added again. The key directory depends on devices (it checks uploads against the
 * device), so it implements this rather than devices depending back on it.
 */
public interface DeviceKeyPackages {
  Future<Void> forgetDevice(String deviceId);
}
