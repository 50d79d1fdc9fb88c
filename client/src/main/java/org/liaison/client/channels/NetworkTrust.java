package org.liaison.client.channels;

import static org.liaison.client.channels.DeviceContext.LOG;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.liaison.client.LiaisonClient;
import org.liaison.client.LiaisonException;
import org.liaison.crypto.ConstantTime;
import org.liaison.crypto.attestation.AttestationRevocations;

/**
 * What the network says about trust, read as claims against this device's configuration: whether
 * the server names the network root key this device was configured with (it may not have published
 * one yet; another one is refused), and the network's attestation revocation list, kept in {@link
 * DeviceContext#revoked()} where every channel's trust reads it. Runs on the device's context.
 */
final class NetworkTrust {
  /** At most this many pages per fetch: a server that never ends its list is not followed on. */
  private static final int MAX_PAGES = 1000;

  /** What the server says of the network root. */
  enum Root {
    /** It names the root this device was configured with. */
    CONFIRMED,
    /** It names none yet (an admin has not set it): channels wait for it. */
    NOT_PUBLISHED
  }

  private final DeviceContext ctx;
  private Root root = Root.NOT_PUBLISHED;
  private long revocationsAfter;

  NetworkTrust(DeviceContext ctx) {
    this.ctx = ctx;
  }

  boolean rootConfirmed() {
    return root == Root.CONFIRMED;
  }

  /**
   * Reads {@code GET /network}: fails with {@link UntrustedServerException} when it names another
   * root than the configured one, as before; answers what it says otherwise.
   */
  Future<Root> checkRoot() {
    return ctx.client
        .network()
        .map(
            json -> {
              root = judge(json, ctx.rootKey());
              return root;
            });
  }

  /** The rule, without I/O: the stated root must be the configured one, or none yet. */
  static Root judge(JsonObject network, byte[] configured) {
    Object stated = network.getValue("rootKey");
    if (stated == null || "".equals(stated)) {
      return Root.NOT_PUBLISHED;
    }
    byte[] key;
    try {
      key = LiaisonClient.unb64((String) stated);
    } catch (RuntimeException e) {
      throw new UntrustedServerException("the server's network root key is not a key");
    }
    if (!ConstantTime.equal(key, configured)) {
      throw new UntrustedServerException(
          "the server's network root key is not the one this client was configured with");
    }
    return Root.CONFIRMED;
  }

  /**
   * Reads the revocation list on from the last entry this device has, page by page; answers whether
   * it grew. A server without the list (404) is logged and treated as listing nothing.
   */
  Future<Boolean> fetchRevocations() {
    return fetch(0, false)
        .recover(
            e -> {
              if (e instanceof LiaisonException le && le.status() == 404) {
                LOG.warn("the server keeps no attestation revocation list ({})", le.code());
                return Future.succeededFuture(false);
              }
              return Future.failedFuture(e);
            });
  }

  private Future<Boolean> fetch(int pages, boolean grew) {
    long after = revocationsAfter;
    return ctx.client
        .attestationRevocations(after)
        .compose(
            json -> {
              Page page = Page.parse(json, after);
              boolean more = ctx.revoked().add(page.hashes());
              revocationsAfter = page.next();
              if (page.skipped() > 0) {
                LOG.warn("{} unreadable attestation revocation entries skipped", page.skipped());
              }
              if (page.next() <= after || pages + 1 >= MAX_PAGES) {
                return Future.succeededFuture(grew || more);
              }
              return fetch(pages + 1, grew || more);
            });
  }

  /**
   * One page of the list: the attestation hashes it names, where to read on (the last {@code seq}
   * it holds; the server's {@code next} only when its entries carry none; {@code after} itself when
   * the page is empty), and how many entries were not readable (skipped, so one bad entry does not
   * hide the others).
   */
  record Page(List<String> hashes, long next, int skipped) {
    static Page parse(JsonObject json, long after) {
      JsonArray items = json.getValue("items") instanceof JsonArray a ? a : new JsonArray();
      List<String> hashes = new ArrayList<>();
      long last = after;
      int skipped = 0;
      for (Object item : items) {
        if (item instanceof JsonObject entry
            && entry.getValue("attestation") instanceof String hash
            && AttestationRevocations.isHash(hash)) {
          hashes.add(hash);
          if (entry.getValue("seq") instanceof Number seq) {
            last = Math.max(last, seq.longValue());
          }
        } else {
          skipped++;
        }
      }
      // after=<seq> answers the entries after it: read on from the last one received
      long next = last;
      if (last == after && !items.isEmpty() && json.getValue("next") instanceof Number n) {
        next = Math.max(after, n.longValue());
      }
      return new Page(List.copyOf(hashes), next, skipped);
    }
  }
}
