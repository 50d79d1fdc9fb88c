package org.liaison.server.ops;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.liaison.server.http.Bodies;
import org.liaison.server.store.Store;

/** Health, Prometheus metrics and the API document: what operators and tooling read. */
public final class OpsRoutes {
  public static final String OPENAPI_RESOURCE = "openapi/openapi.yaml";
  private static final long STORE_TIMEOUT_MS = 2000;

  private final Store store;
  private final String metricsRegistry;
  private final String openApi;

  public OpsRoutes(Store store, String metricsRegistry) throws IOException {
    this.store = store;
    this.metricsRegistry = metricsRegistry;
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
    root.get("/metrics").handler(PrometheusScrapingHandler.create(metricsRegistry));
    api.get("/openapi.yaml")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("Content-Type", "application/yaml; charset=utf-8")
                    .end(openApi));
  }
}
