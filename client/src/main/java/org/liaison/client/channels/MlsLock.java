package org.liaison.client.channels;

import java.util.function.Supplier;

/**
 * One lock for every bcmls operation in this JVM. bcmls 1.84 keeps one {@code MlsCipherSuite}
 * instance per suite ({@code MlsCipherSuite.getSuite} returns static singletons) and that instance
 * holds a stateful {@code Signer} and digest: two threads signing or verifying at once corrupt each
 * other ("Ed25519Signer not initialised for signature generation"). Several devices in one JVM (a
 * bot host, the tests) run on different event loops, so every call into {@code ChannelSession} goes
 * through here. (The crypto module should own this; until it does, the SDK does.)
 */
public final class MlsLock {
  private static final Object LOCK = new Object();

  private MlsLock() {}

  public static <T> T call(Supplier<T> operation) {
    synchronized (LOCK) {
      return operation.get();
    }
  }

  public static void run(Runnable operation) {
    synchronized (LOCK) {
      operation.run();
    }
  }
}
