package org.liaison.server.events;

/**
 * Event-bus addresses, in one place. A node publishes what happened; the node holding a device's
 * socket delivers it. The bus is local on one node and clustered across nodes without code change.
 */
public final class Events {
  private Events() {}

  /** A device was revoked: {@code {userId, deviceId}}; channels it is in are told to heal. */
  public static final String DEVICE_REVOKED = "liaison.devices.revoked";

  /** Every accepted log entry of a channel, as its wire JSON. */
  public static String channel(String channelId) {
    return "liaison.channel." + channelId;
  }

  /** Things addressed to one device: a Welcome, its revocation. */
  public static String device(String deviceId) {
    return "liaison.device." + deviceId;
  }
}
