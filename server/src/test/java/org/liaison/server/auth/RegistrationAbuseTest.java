package org.liaison.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.server.store.Mongo;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.Network;
import org.liaison.server.testing.TestServer;

/** An outsider probing invitation codes, or burning the server's CPU through registration. */
class RegistrationAbuseTest {
  @TempDir Path dataDir;

  private static Api.Response register(Api api, String address, String code, String email) {
    return api.send(
        "POST",
        "/api/v1/auth/register",
        null,
        new JsonObject()
            .put("inviteCode", code)
            .put("email", email)
            .put("displayName", "Someone")
            .put("password", Network.PASSWORD)
            .encode(),
        address == null ? Map.of() : Map.of("X-Forwarded-For", address));
  }

  private static Api.Response preview(Api api, String code) {
    return api.post("/api/v1/invitations/preview", null, new JsonObject().put("code", code));
  }

  @Test
  void everyCodeThatCannotBeRedeemedGetsTheSameAnswer() {
    try (TestServer test =
        TestServer.start(dataDir, Map.of("LIAISON_TRUSTED_PROXIES", "127.0.0.1"))) {
      Api api = test.api();
      Network network = new Network(api);
      Network.Member admin = network.registerAdmin(test.bootstrapCode(), "admin@network.example");
      String city = network.createCity(admin, "Skopje", "MK");
      String org = network.createOrganisation(admin, city, "City of Skopje", "municipality");

      String used = network.invite(admin, "used@skopje.example", city, org, "T1", "member");
      network.register(used, "used@skopje.example", "Used");
      Api.Response toRevoke =
          network.tryInvite(admin, "revoked@skopje.example", city, org, "T1", "member");
      String revoked = toRevoke.json().getString("code");
      TestServer.await(
          Mongo.first(
              test.server()
                  .store()
                  .collection("invitations")
                  .updateOne(
                      Filters.eq("_id", toRevoke.json().getString("id")),
                      Updates.set("status", "revoked"))));
      String expired = network.invite(admin, "late@skopje.example", city, org, "T1", "member");

      List<Api.Response> answers = new ArrayList<>();
      List<Api.Response> previews = new ArrayList<>();
      int n = 0;
      // An unknown code, also with the e-mail of an existing account (no account probing).
      for (String[] attempt :
          new String[][] {
            {"no-such-code", "nobody@example.org"},
            {"no-such-code", admin.email()},
            {used, "used@skopje.example"},
            {revoked, "revoked@skopje.example"}
          }) {
        answers.add(register(api, "203.0.113." + (++n), attempt[0], attempt[1]));
        previews.add(preview(api, attempt[0]));
      }
      test.clock.advance(Duration.ofDays(8));
      answers.add(register(api, "203.0.113." + (++n), expired, "late@skopje.example"));
      previews.add(preview(api, expired));

      for (Api.Response answer : answers) {
        assertEquals(404, answer.status(), answer.toString());
        assertEquals(answers.get(0).body(), answer.body(), "same code and message for all");
      }
      for (Api.Response answer : previews) {
        assertEquals(answers.get(0).body(), answer.body(), "the preview says the same");
      }
      assertEquals("invitation-not-found", answers.get(0).errorCode());
    }
  }

  @Test
  void aBurstOfBadRegistrationsIsThrottledWhileHealthStaysFast() throws Exception {
    try (TestServer test =
        TestServer.start(
            dataDir,
            Map.of(
                // The production cost, so the burst is as heavy as a real one.
                "LIAISON_ARGON2_MEMORY_KIB", "19456",
                "LIAISON_ARGON2_ITERATIONS", "2",
                "LIAISON_LOGIN_FAILURES_PER_ADDRESS", "5"))) {
      Api api = test.api();
      List<Api.Response> answers =
          burstWhileWatchingHealth(
                  test, 40, i -> register(api, null, "guess-" + i, "x" + i + "@example.org"))
              .answers();
      long refused = answers.stream().filter(a -> a.status() == 429).count();
      assertEquals(35, refused, "only 5 attempts are let through: " + answers);
      for (Api.Response answer : answers) {
        if (answer.status() == 429) {
          assertEquals("too-many-requests", answer.errorCode());
          long wait =
              answer
                  .json()
                  .getJsonObject("error")
                  .getJsonObject("details")
                  .getLong("retryAfterSeconds");
          assertTrue(wait > 0, answer.toString());
        } else {
          assertEquals("invitation-not-found", answer.errorCode(), answer.toString());
        }
      }
    }
  }

  @Test
  void aBurstFromManyAddressesCannotStarveTheServer() throws Exception {
    try (TestServer test =
        TestServer.start(
            dataDir,
            Map.of(
                "LIAISON_ARGON2_MEMORY_KIB", "19456",
                "LIAISON_ARGON2_ITERATIONS", "2",
                "LIAISON_TRUSTED_PROXIES", "127.0.0.1"))) {
      Api api = test.api();
      Burst burst =
          burstWhileWatchingHealth(
              test,
              40,
              i -> register(api, "198.51.100." + i, "guess-" + i, "x" + i + "@example.org"));
      assertTrue(
          burst.mostWorkersBusy() <= 2,
          "at most 2 Argon2id at once, saw " + burst.mostWorkersBusy() + " workers busy");
      for (Api.Response answer : burst.answers()) {
        assertTrue(
            answer.status() == 404 || answer.status() == 429, "refused either way: " + answer);
      }
    }
  }

  /** What a burst got, and the most worker threads busy (hashing) at any sample during it. */
  private record Burst(List<Api.Response> answers, int mostWorkersBusy) {}

  /**
   * Sends {@code count} requests at once and, until they are all answered, asks {@code /health} and
   * samples the worker pool from {@code /metrics}, again and again. Fails if a health answer took
   * 2.5 s or more, or if they typically took over half a second: generous bounds, since this checks
   * that the event loop is not starved on a machine that may be busy with other work; it is not a
   * benchmark.
   */
  private static Burst burstWhileWatchingHealth(
      TestServer test, int count, java.util.function.IntFunction<Api.Response> request)
      throws Exception {
    Api api = test.api();
    // Warm: the first request's connection and class loading are not what is measured.
    assertEquals(200, api.get("/health", null).status());
    ExecutorService pool = Executors.newFixedThreadPool(count);
    try {
      List<Future<Api.Response>> pending = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        int n = i;
        pending.add(pool.submit(() -> request.apply(n)));
      }
      List<Long> millis = new CopyOnWriteArrayList<>();
      AtomicInteger busy = new AtomicInteger();
      AtomicBoolean done = new AtomicBoolean();
      Thread watcher =
          new Thread(
              () -> {
                while (!done.get()) {
                  long start = System.nanoTime();
                  assertEquals(200, api.get("/health", null).status());
                  millis.add(Duration.ofNanos(System.nanoTime() - start).toMillis());
                  busy.accumulateAndGet(workersInUse(api), Math::max);
                }
              });
      watcher.start();
      List<Api.Response> answers = new ArrayList<>();
      for (Future<Api.Response> answer : pending) {
        answers.add(answer.get());
      }
      done.set(true);
      watcher.join();
      List<Long> sorted = millis.stream().sorted().toList();
      long median = sorted.get(sorted.size() / 2);
      long slowest = sorted.get(sorted.size() - 1);
      assertTrue(median < 500 && slowest < 2500, "/health took (ms) " + millis);
      return new Burst(answers, busy.get());
    } finally {
      pool.shutdownNow();
    }
  }

  /** Vert.x's worker threads in use now, from the Prometheus scrape. */
  private static int workersInUse(Api api) {
    return api.get("/metrics", null)
        .body()
        .lines()
        .filter(l -> l.startsWith("vertx_pool_in_use{") && l.contains("pool_type=\"worker\""))
        .mapToInt(l -> (int) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .max()
        .orElseThrow();
  }
}
