package org.liaison.server.delivery;

import io.vertx.core.Future;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.liaison.crypto.mls.HandshakeInspector;
import org.liaison.server.accounts.User;
import org.liaison.server.accounts.UserRepository;
import org.liaison.server.channels.Channel;
import org.liaison.server.channels.Leaf;
import org.liaison.server.devices.Device;
import org.liaison.server.devices.DeviceRepository;
import org.liaison.server.keydirectory.KeyDirectory;

/**
 * Loads what {@link CommitPolicy} needs to judge a commit: the key packages it adds, and the
 * devices and users it adds or removes. The rules themselves stay pure.
 */
final class CommitFacts {
  private final KeyDirectory keys;
  private final DeviceRepository devices;
  private final UserRepository users;

  CommitFacts(KeyDirectory keys, DeviceRepository devices, UserRepository users) {
    this.keys = keys;
    this.devices = devices;
    this.users = users;
  }

  Future<CommitPolicy.Facts> load(
      Channel channel, DeliveryService.Sender sender, HandshakeInspector.InspectedCommit commit) {
    List<String> hashes =
        commit.adds().stream().map(a -> KeyDirectory.hash(a.keyPackage())).toList();
    return keys.byHashes(hashes)
        .compose(
            packages -> {
              Set<String> deviceIds = new HashSet<>();
              Set<String> userIds = new HashSet<>();
              packages
                  .values()
                  .forEach(
                      p -> {
                        deviceIds.add(p.deviceId());
                        userIds.add(p.userId());
                      });
              for (int index : commit.removedLeaves()) {
                removedLeaf(channel, index)
                    .forEach(
                        leaf -> {
                          deviceIds.add(leaf.deviceId());
                          userIds.add(leaf.userId());
                        });
              }
              Future<List<Device>> devs = devices.byIds(deviceIds);
              Future<List<User>> people = users.byIds(userIds);
              return Future.all(devs, people)
                  .map(
                      v ->
                          new CommitPolicy.Facts(
                              channel,
                              sender.user(),
                              sender.deviceId(),
                              commit,
                              packages,
                              devs.result().stream()
                                  .collect(Collectors.toMap(Device::id, Function.identity())),
                              people.result().stream()
                                  .collect(Collectors.toMap(User::id, Function.identity()))));
            });
  }

  /** The leaf at {@code index}, if the commit names an occupied one (the rules judge the rest). */
  private static List<Leaf> removedLeaf(Channel channel, int index) {
    if (index < 0 || index >= channel.leaves().size() || channel.leaves().get(index) == null) {
      return List.of();
    }
    return List.of(channel.leaves().get(index));
  }
}
