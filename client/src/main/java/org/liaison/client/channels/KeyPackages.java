package org.liaison.client.channels;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.liaison.crypto.mls.ChannelSession;
import org.liaison.crypto.mls.KeyPackageSecrets;

/**
 * This device's key packages: the secrets of those uploaded in this run (bcmls cannot save them, so
 * an earlier run's are gone) and keeping the server stocked. Both entry points run on the device's
 * context themselves, since realtime and join work start top-ups too.
 */
final class KeyPackages {
  /** Last-resort packages replaced but kept: a Welcome may still be on its way for one. */
  private static final int RETIRED_LAST_RESORTS = 3;

  private final DeviceContext ctx;
  private final DeviceRegistration device;
  private final List<KeyPackageSecrets> oneTime = new ArrayList<>();
  private final List<KeyPackageSecrets> retiredLastResorts = new ArrayList<>();
  private KeyPackageSecrets lastResort;

  KeyPackages(DeviceContext ctx, DeviceRegistration device) {
    this.ctx = ctx;
    this.device = device;
  }

  /** Uploads {@code count} one-time packages, and a last-resort one when this run holds none. */
  Future<Integer> upload(int count) {
    return ctx.run(() -> upload(count, lastResort == null));
  }

  /** Keeps at least half the target of one-time packages on the server, and a last-resort one. */
  Future<Integer> topUp() {
    return ctx.run(
        () ->
            ctx.client
                .keyPackageCount()
                .compose(
                    count -> {
                      int stored = count.getInteger("oneTime", 0);
                      int target = ctx.options.keyPackageTarget();
                      boolean needLastResort =
                          lastResort == null || !count.getBoolean("lastResort", false);
                      // Packages stored by an earlier run are useless to this one: replace them.
                      int missing =
                          freshStart() ? target : stored < (target + 1) / 2 ? target - stored : 0;
                      if (missing == 0 && !needLastResort) {
                        return Future.succeededFuture(0);
                      }
                      return upload(missing, needLastResort);
                    }));
  }

  /**
   * The secrets a Welcome may be for: one-time ones, the last-resort one, then those it replaced.
   */
  List<KeyPackageSecrets> candidates() {
    List<KeyPackageSecrets> candidates = new ArrayList<>(oneTime);
    if (lastResort != null) {
      candidates.add(lastResort);
    }
    candidates.addAll(retiredLastResorts);
    return candidates;
  }

  /** A Welcome opened with {@code used}: a one-time package is spent, a last-resort one is not. */
  void opened(KeyPackageSecrets used) {
    oneTime.remove(used);
  }

  /** This process holds no key package secrets yet: whatever the server has is an earlier run's. */
  private boolean freshStart() {
    return lastResort == null && oneTime.isEmpty();
  }

  private Future<Integer> upload(int count, boolean withLastResort) {
    boolean replace = freshStart();
    DeviceKeys current = device.requireKeys();
    if (current.chain().isEmpty()) {
      return Future.failedFuture(
          new IllegalStateException("attach an attestation before uploading key packages"));
    }
    List<KeyPackageSecrets> fresh = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      fresh.add(ChannelSession.newKeyPackage(device.identity()));
    }
    Optional<KeyPackageSecrets> last =
        withLastResort
            ? Optional.of(ChannelSession.newKeyPackage(device.identity()))
            : Optional.empty();
    return ctx.client
        .uploadKeyPackages(
            fresh.stream().map(KeyPackageSecrets::publicBytes).toList(),
            last.map(KeyPackageSecrets::publicBytes),
            replace)
        .map(
            ok -> {
              oneTime.addAll(fresh);
              last.ifPresent(
                  l -> {
                    if (lastResort != null) {
                      // a Welcome may still be on its way for the package it replaces
                      retiredLastResorts.add(lastResort);
                      if (retiredLastResorts.size() > RETIRED_LAST_RESORTS) {
                        retiredLastResorts.remove(0);
                      }
                    }
                    lastResort = l;
                  });
              return fresh.size();
            });
  }
}
