package org.liaison.client;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The Java SDK: what bots, scripts, tests and the CLI use to talk to a Liaison server. Every call
 * returns a Vert.x {@link Future}; server refusals fail it with {@link LiaisonException}. An
 * expired access token is refreshed once, transparently.
 */
public final class LiaisonClient implements AutoCloseable {
  private final Vertx vertx;
  private final boolean ownsVertx;
  private final WebClient http;
  private Session session;
  private Consumer<Session> onSessionChange = s -> {};

  private LiaisonClient(Vertx vertx, boolean ownsVertx, String baseUrl) {
    this.vertx = vertx;
    this.ownsVertx = ownsVertx;
    URI uri = URI.create(baseUrl);
    boolean tls = "https".equals(uri.getScheme());
    int port = uri.getPort() > 0 ? uri.getPort() : (tls ? 443 : 80);
    this.http =
        WebClient.create(
            vertx,
            new WebClientOptions()
                .setDefaultHost(uri.getHost())
                .setDefaultPort(port)
                .setSsl(tls)
                .setUserAgent("liaison-java-sdk"));
  }

  public static LiaisonClient connect(String baseUrl) {
    return new LiaisonClient(Vertx.vertx(), true, baseUrl);
  }

  public static LiaisonClient connect(Vertx vertx, String baseUrl) {
    return new LiaisonClient(vertx, false, baseUrl);
  }

  /** Resumes a stored session (the CLI keeps one between runs). */
  public LiaisonClient withSession(Session session) {
    this.session = session;
    return this;
  }

  /** Called whenever tokens rotate, so callers can persist the new refresh token. */
  public LiaisonClient onSessionChange(Consumer<Session> listener) {
    this.onSessionChange = listener;
    return this;
  }

  public Optional<Session> session() {
    return Optional.ofNullable(session);
  }

  public Future<JsonObject> register(
      String inviteCode, String email, String displayName, String password) {
    return call(
        HttpMethod.POST,
        "/api/v1/auth/register",
        new JsonObject()
            .put("inviteCode", inviteCode)
            .put("email", email)
            .put("displayName", displayName)
            .put("password", password),
        false);
  }

  public Future<JsonObject> login(String email, String password) {
    return call(
            HttpMethod.POST,
            "/api/v1/auth/login",
            new JsonObject().put("email", email).put("password", password),
            false)
        .map(this::adopt);
  }

  public Future<Void> logout() {
    return call(HttpMethod.POST, "/api/v1/auth/logout", new JsonObject(), true)
        .map(
            ignored -> {
              session = null;
              onSessionChange.accept(null);
              return null;
            });
  }

  public Future<JsonObject> me() {
    return call(HttpMethod.GET, "/api/v1/me", null, true);
  }

  public Future<JsonArray> cities() {
    return call(HttpMethod.GET, "/api/v1/cities", null, true).map(j -> j.getJsonArray("items"));
  }

  public Future<JsonObject> createCity(String name, String country) {
    return call(
        HttpMethod.POST,
        "/api/v1/cities",
        new JsonObject().put("name", name).put("country", country),
        true);
  }

  public Future<JsonObject> createOrganisation(String cityId, String name, String sector) {
    return call(
        HttpMethod.POST,
        "/api/v1/organisations",
        new JsonObject().put("cityId", cityId).put("name", name).put("sector", sector),
        true);
  }

  public Future<JsonObject> invite(
      String email, String cityId, String organisationId, String tier, String role) {
    return call(
        HttpMethod.POST,
        "/api/v1/invitations",
        new JsonObject()
            .put("email", email)
            .put("cityId", cityId)
            .put("organisationId", organisationId)
            .put("tier", tier)
            .put("role", role),
        true);
  }

  public Future<JsonArray> users(String query) {
    String path = "/api/v1/users" + (query == null || query.isEmpty() ? "" : "?" + query);
    return call(HttpMethod.GET, path, null, true).map(j -> j.getJsonArray("items"));
  }

  private JsonObject adopt(JsonObject tokens) {
    session = Session.fromJson(tokens);
    onSessionChange.accept(session);
    return tokens;
  }

  private Future<JsonObject> call(
      HttpMethod method, String path, JsonObject body, boolean authenticated) {
    return send(method, path, body, authenticated)
        .recover(
            e -> {
              if (authenticated
                  && e instanceof LiaisonException le
                  && "token-expired".equals(le.code())
                  && session != null) {
                return refresh().compose(v -> send(method, path, body, true));
              }
              return Future.failedFuture(e);
            });
  }

  /** Rotates the refresh token; the old one is dead from here on. */
  public Future<Void> refresh() {
    if (session == null) {
      return Future.failedFuture(new LiaisonException(401, "missing-token", "Sign in first"));
    }
    return send(
            HttpMethod.POST,
            "/api/v1/auth/refresh",
            new JsonObject().put("refreshToken", session.refreshToken()),
            false)
        .map(this::adopt)
        .mapEmpty();
  }

  private Future<JsonObject> send(
      HttpMethod method, String path, JsonObject body, boolean authenticated) {
    HttpRequest<Buffer> request = http.request(method, path);
    if (authenticated) {
      if (session == null) {
        return Future.failedFuture(new LiaisonException(401, "missing-token", "Sign in first"));
      }
      request.bearerTokenAuthentication(session.accessToken());
    }
    Future<HttpResponse<Buffer>> response =
        body == null ? request.send() : request.sendJsonObject(body);
    return response.map(LiaisonClient::unwrap);
  }

  private static JsonObject unwrap(HttpResponse<Buffer> response) {
    int status = response.statusCode();
    Buffer body = response.body();
    if (status >= 200 && status < 300) {
      return body == null || body.length() == 0 ? new JsonObject() : body.toJsonObject();
    }
    JsonObject error;
    try {
      error = body.toJsonObject().getJsonObject("error", new JsonObject());
    } catch (RuntimeException notJson) {
      error = new JsonObject();
    }
    throw new LiaisonException(
        status,
        error.getString("code", "http-" + status),
        error.getString("message", "The server answered " + status));
  }

  @Override
  public void close() {
    http.close();
    if (ownsVertx) {
      vertx.close();
    }
  }
}
