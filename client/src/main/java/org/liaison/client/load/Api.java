package org.liaison.client.load;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.Base64;

/** The Liaison HTTP API on 127.0.0.1, with a bounded connection pool. */
final class Api {
  static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  static final Base64.Decoder UNB64 = Base64.getUrlDecoder();

  /** A server that asks to slow down (429) is obeyed this many times per call, then it fails. */
  private static final int MAX_SLOW_DOWNS = 30;

  final int port;
  private final Vertx vertx;
  private final WebClient web;

  Api(Vertx vertx, int port, int poolSize) {
    this.port = port;
    this.vertx = vertx;
    this.web =
        WebClient.create(
            vertx,
            new WebClientOptions()
                .setDefaultHost("127.0.0.1")
                .setDefaultPort(port)
                .setKeepAlive(true)
                .setConnectTimeout(30_000)
                .setUserAgentEnabled(false),
            new PoolOptions().setHttp1MaxSize(poolSize).setMaxWaitQueueSize(-1));
  }

  /** The response of a call whose status was the expected one. */
  record Reply(int status, JsonObject body) {}

  Future<JsonObject> post(String path, String token, JsonObject body, int expect) {
    return call(HttpMethod.POST, path, token, body, expect).map(Reply::body);
  }

  Future<JsonObject> put(String path, String token, JsonObject body, int expect) {
    return call(HttpMethod.PUT, path, token, body, expect).map(Reply::body);
  }

  Future<JsonObject> get(String path, String token, int expect) {
    return call(HttpMethod.GET, path, token, null, expect).map(Reply::body);
  }

  /**
   * Any status below 300 counts as expected when {@code expect} is 0. A 429 is waited out for the
   * time it names and tried again, as a well-behaved client does (setup runs many calls at once).
   */
  Future<Reply> call(HttpMethod method, String path, String token, JsonObject body, int expect) {
    return call(method, path, token, body, expect, 0);
  }

  private Future<Reply> call(
      HttpMethod method, String path, String token, JsonObject body, int expect, int slowDowns) {
    HttpRequest<Buffer> request = web.request(method, "/api/v1" + path);
    if (token != null) {
      request.bearerTokenAuthentication(token);
    }
    Future<HttpResponse<Buffer>> sent =
        body == null ? request.send() : request.sendJsonObject(body);
    return sent.compose(
        r -> {
          if (r.statusCode() == 429 && slowDowns < MAX_SLOW_DOWNS) {
            return vertx
                .timer(retryAfterSeconds(r) * 1000L)
                .compose(t -> call(method, path, token, body, expect, slowDowns + 1));
          }
          return Future.succeededFuture(reply(r, method, path, expect));
        });
  }

  private static long retryAfterSeconds(HttpResponse<Buffer> r) {
    String header = r.getHeader("Retry-After");
    try {
      return header == null ? 1 : Math.max(1, Long.parseLong(header.trim()));
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  private static Reply reply(HttpResponse<Buffer> r, HttpMethod method, String path, int expect) {
    boolean ok = expect == 0 ? r.statusCode() < 300 : r.statusCode() == expect;
    if (!ok) {
      throw new LoadException(
          method + " " + path + " answered " + r.statusCode() + ": " + r.bodyAsString());
    }
    Buffer b = r.body();
    return new Reply(r.statusCode(), b == null || b.length() == 0 ? null : b.toJsonObject());
  }

  Future<Void> close() {
    web.close();
    return Future.succeededFuture();
  }

  static String b64(byte[] bytes) {
    return B64.encodeToString(bytes);
  }

  static byte[] unb64(String text) {
    return UNB64.decode(text);
  }
}
