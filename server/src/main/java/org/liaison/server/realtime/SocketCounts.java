package org.liaison.server.realtime;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.liaison.server.api.ApiError;

/**
 * How many realtime sockets each device and each user has open on this node. One device opening
 * hundreds of sockets made every start read the store at once until the pool starved and {@code
 * /health} reported the store down; beyond the caps a socket is refused before it costs a read. A
 * few per device are allowed: two tabs of one browser share a device.
 */
final class SocketCounts {
  private final int perDevice;
  private final int perUser;
  private final ConcurrentMap<String, Integer> byDevice = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Integer> byUser = new ConcurrentHashMap<>();

  SocketCounts(int perDevice, int perUser) {
    this.perDevice = perDevice;
    this.perUser = perUser;
  }

  /** A held place; released once when its socket closes. */
  final class Lease {
    private final String userId;
    private final String deviceId;
    private boolean released;

    private Lease(String userId, String deviceId) {
      this.userId = userId;
      this.deviceId = deviceId;
    }

    synchronized void release() {
      if (!released) {
        released = true;
        decrement(byDevice, deviceId);
        decrement(byUser, userId);
      }
    }
  }

  /** Takes a place for one more socket, or refuses with {@code 429 too-many-sockets}. */
  Lease open(String userId, String deviceId) {
    if (!increment(byDevice, deviceId, perDevice)) {
      throw tooMany("This device has " + perDevice + " realtime connections open already");
    }
    if (!increment(byUser, userId, perUser)) {
      decrement(byDevice, deviceId);
      throw tooMany("This account has " + perUser + " realtime connections open already");
    }
    return new Lease(userId, deviceId);
  }

  private static boolean increment(ConcurrentMap<String, Integer> counts, String key, int cap) {
    boolean[] taken = {false};
    counts.compute(
        key,
        (k, n) -> {
          int current = n == null ? 0 : n;
          if (current >= cap) {
            return n;
          }
          taken[0] = true;
          return current + 1;
        });
    return taken[0];
  }

  private static void decrement(ConcurrentMap<String, Integer> counts, String key) {
    counts.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
  }

  private static ApiError tooMany(String message) {
    return new ApiError(429, "too-many-sockets", message + "; close one first");
  }
}
