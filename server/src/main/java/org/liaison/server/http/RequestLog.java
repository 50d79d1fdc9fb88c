package org.liaison.server.http;

import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line per request: method, a redacted path, status and time; never query strings, headers
 * or bodies. Web-client paths are not logged at all ({@code /invite/<code>} carries a secret) and
 * ids in API paths are replaced by {@code :id}.
 */
public final class RequestLog {
  private static final Logger LOG = LoggerFactory.getLogger("liaison.http");

  private RequestLog() {}

  public static void handle(RoutingContext ctx) {
    long start = System.nanoTime();
    ctx.addEndHandler(
        done ->
            LOG.info(
                "http method={} route={} status={} ms={}",
                ctx.request().method(),
                routeOf(ctx),
                ctx.response().getStatusCode(),
                (System.nanoTime() - start) / 1_000_000));
    ctx.next();
  }

  private static final int MAX_PATH = 120;

  public static String routeOf(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    if (path.startsWith("/api/")) {
      String redacted = path.replaceAll("[0-9a-f]{32}", ":id");
      return redacted.length() > MAX_PATH ? redacted.substring(0, MAX_PATH) + "..." : redacted;
    }
    return path.equals("/health") || path.equals("/metrics") ? path : "(web client)";
  }
}
