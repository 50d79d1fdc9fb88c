package org.liaison.server.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.Network;
import org.liaison.server.testing.TestServer;

class GracefulStopTest {
  @TempDir Path dataDir;

  @Test
  void inFlightRequestsFinishAndTheStoreClosesCleanly() throws Exception {
    // A costly password hash keeps the login in flight while the server is told to stop.
    Map<String, String> slowHashing =
        Map.of("LIAISON_ARGON2_MEMORY_KIB", "131072", "LIAISON_ARGON2_ITERATIONS", "6");
    Network.Member admin;
    try (TestServer test = TestServer.start(dataDir, slowHashing)) {
      Api api = test.api();
      admin = new Network(api).registerAdmin(test.bootstrapCode(), "admin@network.example");
      CompletableFuture<Api.Response> login =
          CompletableFuture.supplyAsync(
              () ->
                  api.post(
                      "/api/v1/auth/login",
                      null,
                      new JsonObject()
                          .put("email", admin.email())
                          .put("password", Network.PASSWORD)));
      Thread.sleep(300); // well inside the hash's ~1 s
      TestServer.await(test.server().stop());
      assertEquals(200, login.get(30, TimeUnit.SECONDS).status(), "the in-flight login completed");
    }
    try (TestServer again = TestServer.start(dataDir)) {
      new Network(again.api()).login(admin.email(), admin.id());
    }
  }
}
