package org.liaison.server.broadcasts;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.liaison.server.accounts.User;
import org.liaison.server.accounts.UserRepository;
import org.liaison.server.devices.DeviceRepository;
import org.liaison.server.devices.DeviceRepository.Receiving;

/**
 * Who is in an audience now, read from the store: active users in its cities, sectors and tier, and
 * their active, attested devices holding a broadcast key. Both reads are bounded administrative
 * scans (the embedded store indexes {@code _id} only); a send always resolves afresh.
 */
final class AudienceResolver {
  /** The most users and devices a network holds for these scans. */
  static final int MAX_SCAN = 200_000;

  private final UserRepository users;
  private final DeviceRepository devices;

  AudienceResolver(UserRepository users, DeviceRepository devices) {
    this.users = users;
    this.devices = devices;
  }

  /** The audience resolved: its users, and per user the devices a broadcast can be wrapped to. */
  record Resolved(
      Map<String, User> users,
      Map<String, List<Receiving>> devicesByUser,
      Set<String> everyReceiving) {

    /** These users left out (a resend's rule), everything else as is. */
    Resolved without(Set<String> excluded) {
      if (excluded.isEmpty()) {
        return this;
      }
      Map<String, User> kept = new LinkedHashMap<>(users);
      Map<String, List<Receiving>> keptDevices = new LinkedHashMap<>(devicesByUser);
      excluded.forEach(
          id -> {
            kept.remove(id);
            keptDevices.remove(id);
          });
      return new Resolved(kept, keptDevices, everyReceiving);
    }

    /** Every receiving device of the audience's users, by device id (sorted). */
    Map<String, Receiving> devices() {
      Map<String, Receiving> all = new TreeMap<>();
      devicesByUser.values().forEach(list -> list.forEach(r -> all.put(r.device().id(), r)));
      return all;
    }

    int deviceCount() {
      return devicesByUser.values().stream().mapToInt(List::size).sum();
    }

    /** Users of the audience with no device a broadcast can reach. */
    int withoutKey() {
      return (int) users.keySet().stream().filter(id -> !devicesByUser.containsKey(id)).count();
    }

    /** Users per city (a user with no city under null), in city order. */
    Map<String, Integer> perCity() {
      Map<String, Integer> counts =
          new TreeMap<>(java.util.Comparator.nullsFirst(String::compareTo));
      users.values().forEach(u -> counts.merge(u.cityId(), 1, Integer::sum));
      return counts;
    }
  }

  Future<Resolved> resolve(Audience audience) {
    return Future.all(users.active(MAX_SCAN), devices.receivingAll(MAX_SCAN))
        .map(
            all -> {
              List<User> active = all.resultAt(0);
              List<Receiving> receiving = all.resultAt(1);
              Map<String, User> inAudience = new LinkedHashMap<>();
              for (User user : active) {
                if (audience.includes(user)) {
                  inAudience.put(user.id(), user);
                }
              }
              Map<String, List<Receiving>> byUser = new HashMap<>();
              Set<String> every = new java.util.HashSet<>();
              for (Receiving r : receiving) {
                if (!r.canReceive()) {
                  continue;
                }
                every.add(r.device().id());
                if (inAudience.containsKey(r.device().userId())) {
                  byUser.computeIfAbsent(r.device().userId(), k -> new ArrayList<>()).add(r);
                }
              }
              return new Resolved(inAudience, byUser, every);
            });
  }
}
