package org.liaison.crypto.attestation;

import java.util.Collection;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.liaison.crypto.Digests;

/**
 * The network's attestation revocation list as a client keeps it: the hashes of device attestations
 * the server says were withdrawn (tier, role or organisation changed, device revoked, user
 * suspended). A leaf whose device attestation is listed is not trusted, whatever its signatures
 * say. The list only grows; {@link #revision()} changes each time it does, so checks that were
 * remembered as passed are made again. Thread-safe.
 *
 * <p>It is only as complete as the server is honest: a server can hide entries (attestation expiry
 * bounds the damage) or list anyone (denial of service, which it can do anyway).
 */
public final class AttestationRevocations {
  private final Set<String> hashes = ConcurrentHashMap.newKeySet();
  private final AtomicLong revision = new AtomicLong();

  /**
   * The name of an attestation on the list: the lower-case hex SHA-256 of its canonical encoding
   * ({@link TierAttestation#encode()}), signature included.
   */
  public static String hash(TierAttestation attestation) {
    return HexFormat.of().formatHex(Digests.sha256().digest(attestation.encode()));
  }

  /** Whether {@code text} has the shape of a {@link #hash}: 64 lower-case hex characters. */
  public static boolean isHash(String text) {
    return text != null && text.matches("[0-9a-f]{64}");
  }

  /**
   * Adds hashes as the server lists them; answers whether the list grew. Anything that is not a
   * {@link #hash} is refused before any is added.
   */
  public boolean add(Collection<String> revoked) {
    for (String hash : revoked) {
      if (!isHash(hash)) {
        throw new IllegalArgumentException("not an attestation hash: " + hash);
      }
    }
    boolean grew = false;
    for (String hash : revoked) {
      grew |= hashes.add(hash);
    }
    if (grew) {
      // after the additions: a check that saw the old revision may have missed them, never the
      // other way round
      revision.incrementAndGet();
    }
    return grew;
  }

  public boolean contains(TierAttestation attestation) {
    return hashes.contains(hash(attestation));
  }

  /** Whether the chain's device attestation (its last link) is on the list. */
  public boolean revokes(AttestationChain chain) {
    return contains(chain.device());
  }

  /** Changes (grows) whenever the list does. */
  public long revision() {
    return revision.get();
  }

  public int size() {
    return hashes.size();
  }
}
