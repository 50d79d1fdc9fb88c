package org.liaison.server.ops;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.Network;
import org.liaison.server.testing.TestServer;
import org.slf4j.LoggerFactory;

/** Runs the flows that handle secrets and scans everything that was logged for them. */
class LogSecretsTest {
  @TempDir Path dataDir;

  @Test
  void passwordsTokensAndInvitationCodesNeverReachTheLog() {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.start();
    root.addAppender(captured);
    List<String> secrets = new ArrayList<>();
    try (TestServer test = TestServer.start(dataDir)) {
      Api api = test.api();
      Network network = new Network(api);
      String bootstrap = test.bootstrapCode();
      secrets.add(bootstrap);
      Network.Member admin = network.registerAdmin(bootstrap, "admin@network.example");
      secrets.add(Network.PASSWORD);
      secrets.add(admin.accessToken());
      secrets.add(admin.refreshToken());
      String city = network.createCity(admin, "Nairobi", "KE");
      String org = network.createOrganisation(admin, city, "Nairobi County", "municipality");
      String code = network.invite(admin, "wanjiru@nairobi.example", city, org, "T1", "member");
      secrets.add(code);
      // the web client's invitation page path carries the code
      api.get("/invite/" + code, null);
      api.post("/api/v1/invitations/preview", null, new JsonObject().put("code", code));
      Api.Response refreshed =
          api.post(
              "/api/v1/auth/refresh",
              null,
              new JsonObject().put("refreshToken", admin.refreshToken()));
      secrets.add(refreshed.json().getString("refreshToken"));
      // failures must not echo what was sent either
      api.post(
          "/api/v1/auth/login",
          null,
          new JsonObject()
              .put("email", "admin@network.example")
              .put("password", "wrong-secret-123"));
      secrets.add("wrong-secret-123");
      api.post(
          "/api/v1/auth/refresh", null, new JsonObject().put("refreshToken", admin.refreshToken()));
      api.get("/api/v1/me", admin.accessToken() + "x");
    } finally {
      root.detachAppender(captured);
    }
    assertTrue(captured.list.size() > 5, "the flows were logged at all");
    for (ILoggingEvent event : captured.list) {
      String text =
          event.getFormattedMessage()
              + (event.getThrowableProxy() == null
                  ? ""
                  : ThrowableProxyUtil.asString(event.getThrowableProxy()));
      for (String secret : secrets) {
        assertFalse(text.contains(secret), "a secret was logged: " + event.getFormattedMessage());
      }
    }
  }
}
