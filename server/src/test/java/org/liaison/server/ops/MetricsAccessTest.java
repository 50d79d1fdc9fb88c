package org.liaison.server.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.TestServer;
import org.slf4j.LoggerFactory;

/**
 * {@code /metrics} answers only a bearer token from {@code metrics.token}; without the setting it
 * does not exist. {@code /health} stays open. The token never reaches the log.
 */
class MetricsAccessTest {
  private static final String TOKEN = "prometheus-scrape-9f8e7d6c5b4a";

  @TempDir Path dataDir;

  @Test
  void withoutATokenSetMetricsDoNotExist() {
    try (TestServer test = TestServer.start(dataDir)) {
      Api api = test.api();
      assertEquals(404, api.get("/metrics", null).status());
      assertEquals(404, api.get("/metrics", "anything").status());
      assertEquals(200, api.get("/health", null).status());
    }
  }

  @Test
  void onlyTheConfiguredTokenReadsMetrics() {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.start();
    root.addAppender(captured);
    try (TestServer test = TestServer.start(dataDir, Map.of("LIAISON_METRICS_TOKEN", TOKEN))) {
      Api api = test.api();
      Api.Response none = api.get("/metrics", null);
      assertEquals(401, none.status(), none.toString());
      assertEquals("Bearer", none.header("WWW-Authenticate"));
      assertEquals(401, api.get("/metrics", TOKEN + "x").status());
      assertEquals(401, api.get("/metrics", TOKEN.substring(1)).status());
      assertEquals(
          401,
          api.send("GET", "/metrics", null, null, Map.of("Authorization", "Basic " + TOKEN))
              .status());
      Api.Response metrics = api.get("/metrics", TOKEN);
      assertEquals(200, metrics.status());
      assertTrue(metrics.body().contains("jvm_memory_used_bytes"));
      assertEquals(200, api.get("/health", null).status());
      LoggerFactory.getLogger(MetricsAccessTest.class).info("config {}", test.server().config());
    } finally {
      root.detachAppender(captured);
    }
    assertFalse(captured.list.isEmpty());
    for (ILoggingEvent event : captured.list) {
      assertFalse(
          event.getFormattedMessage().contains(TOKEN.substring(0, 20)),
          "the metrics token was logged: " + event.getFormattedMessage());
    }
  }
}
