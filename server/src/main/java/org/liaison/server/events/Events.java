package org.liaison.server.events;

/**
 * Event-bus addresses, in one place. A node publishes what happened; the node holding a device's
 * socket delivers it. The bus is local on one node and clustered across nodes without code change.
 */
public final class Events {
  private Events() {}

  /** A device was revoked: {@code {userId, deviceId}}; channels it is in are told to heal. */
  public static final String DEVICE_REVOKED = "liaison.devices.revoked";

  /**
   * A confirmed device now has key packages (just confirmed, restored, or drained before): {@code
   * {userId, deviceId}}; the channels where its user is a member and it is not are told, so members
   * add it.
   */
  public static final String DEVICE_READY = "liaison.devices.ready";

  /** A user was suspended: {@code {userId}}; their channels are told to remove them. */
  public static final String USER_SUSPENDED = "liaison.users.suspended";

  /**
   * A user's tier changed (later also sector or city): {@code {userId}}; channels whose policy they
   * no longer meet record their removal as due.
   */
  public static final String USER_CHANGED = "liaison.users.changed";

  /**
   * Things every open connection hears, on every node: {@code network-updated} frames (the root key
   * was set, attestations were revoked).
   */
  public static final String NETWORK = "liaison.network";

  /** Things network admins' connections hear: {@code confirmations-needed}. */
  public static final String ADMINS = "liaison.admins";

  /** Things the coordinators of one city hear: {@code confirmations-needed} about its people. */
  public static String coordinators(String cityId) {
    return "liaison.coordinators." + cityId;
  }

  /** A session ended (logout): its realtime connections close. */
  public static String session(String sessionId) {
    return "liaison.session." + sessionId;
  }

  /**
   * Things about one user's every connection: suspension (ends them), and {@code device-updated}
   * when one of the user's devices changed status.
   */
  public static String user(String userId) {
    return "liaison.user." + userId;
  }

  /** Every accepted log entry of a channel, as its wire JSON. */
  public static String channel(String channelId) {
    return "liaison.channel." + channelId;
  }

  /**
   * A channel's document frames ({@code document-*}, presence included), as written to the
   * connections of its member devices.
   */
  public static String documents(String channelId) {
    return "liaison.documents." + channelId;
  }

  /**
   * Broadcast frames for one user's connections ({@code broadcast}, {@code broadcast-reminder},
   * {@code broadcast-acked}, {@code broadcast-progress}): an address of its own, because anything
   * unknown on {@link #user} ends the socket.
   */
  public static String broadcasts(String userId) {
    return "liaison.broadcasts." + userId;
  }

  /** Things addressed to one device: a Welcome, its revocation. */
  public static String device(String deviceId) {
    return "liaison.device." + deviceId;
  }
}
