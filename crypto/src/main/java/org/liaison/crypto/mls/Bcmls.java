package org.liaison.crypto.mls;

import java.util.concurrent.locks.ReentrantLock;

/**
 * bcmls 1.84 hands out its cipher suites as shared static instances whose signer and digest keep
 * state between calls, so two threads signing at once fail ("Ed25519Signer not initialised") or,
 * worse, hash each other's input. Every bcmls call in this module runs under this one lock.
 */
final class Bcmls {
  private static final ReentrantLock LOCK = new ReentrantLock();

  private Bcmls() {}

  interface Call<T> {
    T run() throws Exception;
  }

  static <T> T exclusively(Call<T> call) throws Exception {
    LOCK.lock();
    try {
      return call.run();
    } finally {
      LOCK.unlock();
    }
  }
}
