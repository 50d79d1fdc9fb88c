package org.liaison.server.http;

import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;

/** Headers every response carries; set once, before any route. */
public final class SecurityHeaders {
  private SecurityHeaders() {}

  public static void handle(RoutingContext ctx) {
    MultiMap headers = ctx.response().headers();
    headers
        .set("X-Content-Type-Options", "nosniff")
        .set("X-Frame-Options", "DENY")
        // Invitation links carry their code in the path: never send it onwards as a Referer.
        .set("Referrer-Policy", "no-referrer")
        .set(
            "Content-Security-Policy",
            // 'wasm-unsafe-eval' lets the documents chunk compile Automerge's WebAssembly; it
            // allows no string evaluation of scripts.
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; "
                + "img-src 'self' data: blob:; "
                + "style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; "
                + "frame-ancestors 'none'");
    if (ctx.normalizedPath().startsWith("/api/")) {
      headers.set("Cache-Control", "no-store");
    }
    ctx.next();
  }
}
