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

  final int port;
  private final WebClient web;

  Api(Vertx vertx, int port, int poolSize) {
    this.port = port;
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

  /** Any status below 300 counts as expected when {@code expect} is 0. */
  Future<Reply> call(HttpMethod method, String path, String token, JsonObject body, int expect) {
    HttpRequest<Buffer> request = web.request(method, "/api/v1" + path);
    if (token != null) {
      request.bearerTokenAuthentication(token);
    }
    Future<HttpResponse<Buffer>> sent =
        body == null ? request.send() : request.sendJsonObject(body);
    return sent.map(
        r -> {
          boolean ok = expect == 0 ? r.statusCode() < 300 : r.statusCode() == expect;
          if (!ok) {
            throw new LoadException(
                method + " " + path + " answered " + r.statusCode() + ": " + r.bodyAsString());
          }
          Buffer b = r.body();
          return new Reply(r.statusCode(), b == null || b.length() == 0 ? null : b.toJsonObject());
        });
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
