package org.liaison.server.ops;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.liaison.server.api.ApiError;
import org.liaison.server.config.Secret;
import org.liaison.server.http.Bodies;
import org.liaison.server.store.Store;

/**
 * Health, Prometheus metrics and the API document: what operators and tooling read. {@code /health}
 * is open (it says only UP or DOWN); {@code /metrics} answers only the bearer token of {@code
 * metrics.token}, and does not exist while that is unset.
 */
public final class OpsRoutes {
  public static final String OPENAPI_RESOURCE = "openapi/openapi.yaml";
  private static final long STORE_TIMEOUT_MS = 2000;

  private final Store store;
  private final String metricsRegistry;
  private final Optional<byte[]> metricsTokenHash;
  private final String openApi;

  public OpsRoutes(Store store, String metricsRegistry, Optional<Secret> metricsToken)
      throws IOException {
    this.store = store;
    this.metricsRegistry = metricsRegistry;
    this.metricsTokenHash = metricsToken.map(t -> sha256(t.value()));
    this.openApi = readOpenApi();
  }

  public static String readOpenApi() throws IOException {
    try (InputStream in = OpsRoutes.class.getClassLoader().getResourceAsStream(OPENAPI_RESOURCE)) {
      if (in == null) {
        throw new IOException("the build did not package " + OPENAPI_RESOURCE);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  public void mount(Router root, Router api) {
    root.get("/health")
        .handler(
            ctx ->
                store
                    .ping()
                    .timeout(STORE_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                    .onComplete(
                        ping -> {
                          String state = ping.succeeded() ? "UP" : "DOWN";
                          Bodies.send(
                              ctx,
                              ping.succeeded() ? 200 : 503,
                              new JsonObject()
                                  .put("status", state)
                                  .put(
                                      "store",
                                      new JsonObject()
                                          .put("status", state)
                                          .put("kind", store.kind())));
                        }));
    root.get("/metrics")
        .handler(this::requireMetricsToken)
        .handler(PrometheusScrapingHandler.create(metricsRegistry));
    api.get("/openapi.yaml")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("Content-Type", "application/yaml; charset=utf-8")
                    .end(openApi));
  }

  /**
   * Metrics name routes, pools and load: for the operator's scraper only. Digests are compared in
   * constant time, so neither the token's bytes nor its length show in response times.
   */
  private void requireMetricsToken(RoutingContext ctx) {
    if (metricsTokenHash.isEmpty()) {
      ctx.fail(404);
      return;
    }
    String header = ctx.request().getHeader("Authorization");
    boolean bearer = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7);
    if (!bearer
        || !MessageDigest.isEqual(metricsTokenHash.get(), sha256(header.substring(7).trim()))) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      ctx.fail(ApiError.unauthorized("invalid-token", "Metrics need the scrape token"));
      return;
    }
    ctx.next();
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
