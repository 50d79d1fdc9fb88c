package org.liaison.server.http;

import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Set;

/**
 * The address a request came from. Behind a reverse proxy every request's peer is the proxy, so
 * {@code X-Forwarded-For} is read, but only when the peer is one of the configured trusted proxies:
 * anyone else could write that header.
 */
public final class ClientAddress {
  private final Set<String> trustedProxies;

  public ClientAddress(List<String> trustedProxies) {
    this.trustedProxies = Set.copyOf(trustedProxies);
  }

  public String of(RoutingContext ctx) {
    String peer = ctx.request().remoteAddress().hostAddress();
    String forwarded = ctx.request().getHeader("X-Forwarded-For");
    if (forwarded == null || !trustedProxies.contains(peer)) {
      return peer;
    }
    // Walk from the nearest hop back; the first address not of our own proxies is the client.
    String[] hops = forwarded.split(",");
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = hops[i].trim();
      if (!hop.isEmpty() && !trustedProxies.contains(hop)) {
        return hop;
      }
    }
    return peer;
  }
}
