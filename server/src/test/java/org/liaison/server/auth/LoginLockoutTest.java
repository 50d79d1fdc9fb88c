package org.liaison.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.Network;
import org.liaison.server.testing.TestServer;

/**
 * Someone guessing a member's password must be slowed down without locking the member out. The
 * server trusts 127.0.0.1 as a proxy here, so each request names its client in X-Forwarded-For.
 */
class LoginLockoutTest {
  private static final String ATTACKER = "203.0.113.9";
  private static final String OWNER = "198.51.100.7";

  @TempDir Path dataDir;
  TestServer test;
  Api api;
  Network.Member admin;

  @BeforeEach
  void start() {
    test =
        TestServer.start(
            dataDir,
            Map.of(
                "LIAISON_LOGIN_FAILURES_PER_ACCOUNT", "5",
                "LIAISON_LOGIN_FAILURES_PER_ADDRESS", "30",
                "LIAISON_LOGIN_WINDOW_SECONDS", "900",
                "LIAISON_TRUSTED_PROXIES", "127.0.0.1"));
    api = test.api();
    admin = new Network(api).registerAdmin(test.bootstrapCode(), "admin@network.example");
  }

  @AfterEach
  void stop() {
    test.close();
  }

  private Api.Response loginFrom(String address, String password) {
    return api.send(
        "POST",
        "/api/v1/auth/login",
        null,
        new JsonObject().put("email", admin.email()).put("password", password).encode(),
        Map.of("X-Forwarded-For", address));
  }

  @Test
  void concurrentGuessesCannotExceedTheLimit() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(12);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Api.Response>> pending = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        String guess = "guess number " + i;
        pending.add(
            pool.submit(
                () -> {
                  go.await();
                  return loginFrom(ATTACKER, guess);
                }));
      }
      go.countDown();
      int checked = 0;
      int refused = 0;
      for (Future<Api.Response> answer : pending) {
        Api.Response response = answer.get();
        if (response.status() == 401) {
          checked++;
        } else {
          assertEquals(429, response.status(), response.toString());
          refused++;
        }
      }
      assertEquals(5, checked, "exactly the limit of guesses is checked");
      assertEquals(7, refused);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void theOwnerSignsInFromElsewhereWhileTheAttackerIsSlowed() {
    for (int i = 0; i < 10; i++) {
      int status = loginFrom(ATTACKER, "guess number " + i).status();
      assertEquals(i < 5 ? 401 : 429, status, "attempt " + i);
    }
    Api.Response attacker = loginFrom(ATTACKER, Network.PASSWORD);
    assertEquals(429, attacker.status(), "the attacker's address stays slowed for this account");
    Api.Response owner = loginFrom(OWNER, Network.PASSWORD);
    assertEquals(200, owner.status(), owner.toString());
  }

  @Test
  void guessesFromManyAddressesSlowTheAccountButNeverLockIt() {
    // Credential stuffing: one guess from each of many addresses. The account-wide ceiling is far
    // above the per-address limit, and once reached it only spaces attempts out.
    int refused = 0;
    for (int i = 0; i < 60; i++) {
      Api.Response guess = loginFrom("192.0.2." + (i + 1), "stuffed password " + i);
      if (guess.status() == 429) {
        refused++;
      } else {
        assertEquals(401, guess.status(), guess.toString());
      }
    }
    assertTrue(refused > 0, "the account-wide ceiling applies");
    Api.Response owner = loginFrom(OWNER, Network.PASSWORD);
    if (owner.status() == 429) {
      long wait = Long.parseLong(owner.header("Retry-After"));
      assertTrue(wait <= 60, "slowed, not locked out: Retry-After " + wait);
      test.clock.advance(Duration.ofSeconds(wait));
      owner = loginFrom(OWNER, Network.PASSWORD);
    }
    assertEquals(200, owner.status(), owner.toString());
  }
}
