package org.liaison.server.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.TestServer;

class OperationsTest {
  @TempDir Path dataDir;
  @TempDir Path webRoot;

  @Test
  void healthReportsTheStore() {
    try (TestServer test = TestServer.start(dataDir)) {
      Api.Response health = test.api().get("/health", null);
      assertEquals(200, health.status());
      assertEquals(
          new JsonObject()
              .put("status", "UP")
              .put("store", new JsonObject().put("status", "UP").put("kind", "embedded")),
          health.json());
    }
  }

  @Test
  void metricsAreInPrometheusFormat() {
    try (TestServer test =
        TestServer.start(dataDir, Map.of("LIAISON_METRICS_TOKEN", "scrape-token"))) {
      test.api().get("/health", null);
      Api.Response metrics = test.api().get("/metrics", "scrape-token");
      assertEquals(200, metrics.status());
      assertTrue(
          metrics.body().contains("# TYPE vertx_http_server_requests_total counter"),
          metrics.body());
      assertTrue(metrics.body().contains("jvm_memory_used_bytes"));
    }
  }

  @Test
  void servesTheWebClientWithSecurityHeadersAndFallsBackToIndex() throws Exception {
    Files.writeString(webRoot.resolve("index.html"), "<!doctype html><title>Liaison</title>");
    Files.writeString(webRoot.resolve("app.js"), "console.log('hi')");
    try (TestServer test =
        TestServer.start(dataDir, Map.of("LIAISON_WEB_ROOT", webRoot.toString()))) {
      Api api = test.api();
      Api.Response index = api.get("/", null);
      assertEquals(200, index.status());
      assertTrue(index.body().contains("<title>Liaison</title>"));
      assertEquals("no-referrer", index.header("Referrer-Policy"));
      assertTrue(index.header("Content-Security-Policy").contains("default-src 'self'"));
      assertTrue(
          index.header("Content-Security-Policy").contains("script-src 'self' 'wasm-unsafe-eval';"),
          "Automerge's WebAssembly may compile, nothing else is evaluated");
      assertEquals("nosniff", index.header("X-Content-Type-Options"));
      Api.Response invite = api.get("/invite/some-code", null);
      assertEquals(200, invite.status());
      assertTrue(invite.body().contains("<title>Liaison</title>"));
      assertEquals("console.log('hi')", api.get("/app.js", null).body());
      Api.Response unknownApi = api.get("/api/v1/nothing-here", null);
      assertEquals(404, unknownApi.status(), "API paths never fall back to the web client");
      assertEquals("not-found", unknownApi.errorCode());
      assertEquals("no-store", unknownApi.header("Cache-Control"));
    }
  }
}
