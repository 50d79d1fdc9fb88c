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
import java.util.Base64;
import java.util.List;
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
  private final URI base;
  private Session session;
  private Consumer<Session> onSessionChange = s -> {};

  private LiaisonClient(Vertx vertx, boolean ownsVertx, String baseUrl) {
    this.vertx = vertx;
    this.ownsVertx = ownsVertx;
    URI uri = URI.create(baseUrl);
    this.base = uri;
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

  public Future<JsonArray> organisations() {
    return call(HttpMethod.GET, "/api/v1/organisations", null, true)
        .map(j -> j.getJsonArray("items"));
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
    return invite(email, cityId, organisationId, tier, role, new JsonObject());
  }

  /**
   * As above, with further fields: {@code sendEmail} (false: not e-mailed even where the server
   * sends mail) and {@code language} (of the e-mail).
   */
  public Future<JsonObject> invite(
      String email,
      String cityId,
      String organisationId,
      String tier,
      String role,
      JsonObject options) {
    return call(
        HttpMethod.POST,
        "/api/v1/invitations",
        options
            .copy()
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

  public Vertx vertx() {
    return vertx;
  }

  /** The server address this client talks to (for the realtime WebSocket). */
  public URI baseUri() {
    return base;
  }

  // ---- devices (docs/protocol.md, "Devices and the session they are bound to") --------------

  /** Registers a device for the caller and binds this session to it. */
  public Future<JsonObject> registerDevice(
      String name, byte[] signatureKey, Optional<byte[]> attestation) {
    JsonObject body = new JsonObject().put("name", name).put("signatureKey", b64(signatureKey));
    attestation.ifPresent(a -> body.put("attestation", b64(a)));
    return post("/api/v1/devices", body);
  }

  /**
   * Binds this (new) session to an existing device; {@code signature} is the device key's signature
   * over {@code Labels.DEVICE_SESSION} and {@link #sessionId()}.
   */
  public Future<JsonObject> bindDeviceSession(String deviceId, byte[] signature) {
    return post(
        "/api/v1/devices/" + deviceId + "/session",
        new JsonObject().put("signature", b64(signature)));
  }

  public Future<JsonObject> attachAttestation(String deviceId, byte[] chain) {
    return put(
        "/api/v1/devices/" + deviceId + "/attestation",
        new JsonObject().put("attestation", b64(chain)));
  }

  public Future<JsonArray> pendingDevices() {
    return get("/api/v1/devices/pending").map(j -> j.getJsonArray("items"));
  }

  public Future<JsonArray> devices() {
    return get("/api/v1/devices").map(j -> j.getJsonArray("items"));
  }

  public Future<JsonArray> userDevices(String userId) {
    return get("/api/v1/users/" + userId + "/devices").map(j -> j.getJsonArray("items"));
  }

  public Future<JsonObject> revokeDevice(String deviceId) {
    return post("/api/v1/devices/" + deviceId + "/revoke", new JsonObject());
  }

  public Future<JsonObject> setRootKey(byte[] rootKey) {
    return put("/api/v1/network/root-key", new JsonObject().put("rootKey", b64(rootKey)));
  }

  /** {@code {rootKey, rootFingerprint}} as the server states it: compare, never adopt. */
  public Future<JsonObject> network() {
    return get("/api/v1/network");
  }

  /**
   * One page of the network's attestation revocation list after {@code after}: {@code {items:
   * [{seq, attestation, userId, deviceId, reason, revokedAt}], next}}, dense {@code seq} from 1.
   */
  public Future<JsonObject> attestationRevocations(long after) {
    return get("/api/v1/network/attestation-revocations?after=" + after);
  }

  /** The {@code sid} claim of the current access token (what a device-session signature binds). */
  public String sessionId() {
    if (session == null) {
      throw LiaisonException.signInFirst();
    }
    return AccessToken.sessionId(session.accessToken());
  }

  // ---- key directory ------------------------------------------------------------------------

  public Future<JsonObject> uploadKeyPackages(List<byte[]> oneTime, Optional<byte[]> lastResort) {
    return uploadKeyPackages(oneTime, lastResort, false);
  }

  /**
   * With {@code replace}, the device's unclaimed one-time packages are withdrawn first (a device
   * that restarted holds none of their secrets).
   */
  public Future<JsonObject> uploadKeyPackages(
      List<byte[]> oneTime, Optional<byte[]> lastResort, boolean replace) {
    JsonObject body =
        new JsonObject()
            .put("keyPackages", new JsonArray(oneTime.stream().map(LiaisonClient::b64).toList()))
            .put("replace", replace);
    lastResort.ifPresent(k -> body.put("lastResort", b64(k)));
    return post("/api/v1/key-packages", body);
  }

  /** {@code {oneTime, lastResort}} for the bound device. */
  public Future<JsonObject> keyPackageCount() {
    return get("/api/v1/key-packages/count");
  }

  /** {@code {items: [{userId, deviceId, keyPackage, lastResort}], missing}}. */
  public Future<JsonObject> claimKeyPackages(List<String> userIds) {
    return post(
        "/api/v1/key-packages/claim", new JsonObject().put("userIds", new JsonArray(userIds)));
  }

  // ---- channels -----------------------------------------------------------------------------

  /** {@code meta} may be null; {@code policy} is the protocol's JSON form. */
  public Future<JsonObject> createChannel(
      byte[] groupId, String kind, JsonObject policy, byte[] groupInfo, JsonObject meta) {
    JsonObject body =
        new JsonObject()
            .put("groupId", b64(groupId))
            .put("kind", kind)
            .put("policy", policy)
            .put("groupInfo", b64(groupInfo));
    if (meta != null) {
      body.put("meta", meta);
    }
    return post("/api/v1/channels", body);
  }

  public Future<JsonArray> channels() {
    return get("/api/v1/channels").map(j -> j.getJsonArray("items"));
  }

  public Future<JsonObject> channel(String channelId) {
    return get(channelPath(channelId, ""));
  }

  public Future<JsonObject> putMeta(String channelId, long epoch, byte[] ciphertext) {
    return put(
        channelPath(channelId, "/meta"),
        new JsonObject().put("epoch", epoch).put("ciphertext", b64(ciphertext)));
  }

  public Future<byte[]> groupInfo(String channelId) {
    return get(channelPath(channelId, "/group-info")).map(j -> unb64(j.getString("groupInfo")));
  }

  /** A handshake for {@code epoch}; answers {@code {seq, epoch}} with the new epoch. */
  public Future<JsonObject> postCommit(
      String channelId, long epoch, byte[] commit, Optional<byte[]> welcome, byte[] groupInfo) {
    JsonObject body =
        new JsonObject()
            .put("epoch", epoch)
            .put("commit", b64(commit))
            .put("groupInfo", b64(groupInfo));
    welcome.ifPresent(w -> body.put("welcome", b64(w)));
    return post(channelPath(channelId, "/commits"), body);
  }

  /** An application message; a retry with the same {@code clientMessageId} answers its seq. */
  public Future<JsonObject> postMessage(
      String channelId, long epoch, String clientMessageId, byte[] ciphertext) {
    return post(
        channelPath(channelId, "/messages"),
        new JsonObject()
            .put("epoch", epoch)
            .put("clientMessageId", clientMessageId)
            .put("ciphertext", b64(ciphertext)));
  }

  /** Log entries with {@code seq > after}: {@code {items, firstSeq, next}}. */
  public Future<JsonObject> messages(String channelId, long after, int limit) {
    return get(channelPath(channelId, "/messages?after=" + after + "&limit=" + limit));
  }

  /** Asks the other members to remove all of the caller's devices (nobody commits its own). */
  public Future<JsonObject> leaveChannel(String channelId) {
    return post(channelPath(channelId, "/leave"), new JsonObject());
  }

  public Future<JsonArray> welcomes() {
    return get("/api/v1/welcomes").map(j -> j.getJsonArray("items"));
  }

  public Future<JsonObject> markRead(String channelId, long seq) {
    return put(channelPath(channelId, "/read"), new JsonObject().put("seq", seq));
  }

  // ---- documents (docs/documents.md; bytes base64url, sealed by the caller) ------------------

  public Future<JsonObject> putDocumentKeyring(String channelId, long epoch, byte[] ciphertext) {
    return put(
        channelPath(channelId, "/document-keyrings/" + epoch),
        new JsonObject().put("ciphertext", b64(ciphertext)));
  }

  /** {@code {epoch, ciphertext}}; fails with {@code keyring-not-found} when none is stored. */
  public Future<JsonObject> documentKeyring(String channelId, long epoch) {
    return get(channelPath(channelId, "/document-keyrings/" + epoch));
  }

  public Future<JsonObject> createDocument(String channelId, long generation, byte[] header) {
    return post(
        channelPath(channelId, "/documents"),
        new JsonObject().put("generation", generation).put("header", b64(header)));
  }

  public Future<JsonArray> documents(String channelId) {
    return get(channelPath(channelId, "/documents")).map(j -> j.getJsonArray("documents"));
  }

  public Future<JsonObject> putDocumentHeader(
      String channelId, String documentId, long generation, byte[] header) {
    return put(
        documentPath(channelId, documentId, "/header"),
        new JsonObject().put("generation", generation).put("header", b64(header)));
  }

  /** {@code {document, snapshot, updates, more}}: the snapshot and the updates after it. */
  public Future<JsonObject> document(String channelId, String documentId) {
    return get(documentPath(channelId, documentId, ""));
  }

  public Future<JsonObject> documentUpdates(
      String channelId, String documentId, long after, int limit) {
    return get(documentPath(channelId, documentId, "/updates?after=" + after + "&limit=" + limit));
  }

  /** {@code {seq, duplicate}}; {@code client-seq-gap} with {@code expected} in its details. */
  public Future<JsonObject> postDocumentUpdate(
      String channelId,
      String documentId,
      long generation,
      long clientSeq,
      byte[] ciphertext,
      byte[] signature) {
    return post(
        documentPath(channelId, documentId, "/updates"),
        new JsonObject()
            .put("generation", generation)
            .put("clientSeq", clientSeq)
            .put("ciphertext", b64(ciphertext))
            .put("signature", b64(signature)));
  }

  public Future<JsonObject> putDocumentSnapshot(
      String channelId,
      String documentId,
      long coversSeq,
      long generation,
      byte[] ciphertext,
      byte[] signature) {
    return put(
        documentPath(channelId, documentId, "/snapshot"),
        new JsonObject()
            .put("coversSeq", coversSeq)
            .put("generation", generation)
            .put("ciphertext", b64(ciphertext))
            .put("signature", b64(signature)));
  }

  public Future<JsonObject> postDocumentVersion(
      String channelId, String documentId, long generation, byte[] ciphertext, byte[] signature) {
    return post(
        documentPath(channelId, documentId, "/versions"),
        new JsonObject()
            .put("generation", generation)
            .put("ciphertext", b64(ciphertext))
            .put("signature", b64(signature)));
  }

  public Future<JsonArray> documentVersions(String channelId, String documentId) {
    return get(documentPath(channelId, documentId, "/versions"))
        .map(j -> j.getJsonArray("versions"));
  }

  private static String documentPath(String channelId, String documentId, String rest) {
    if (documentId == null || !documentId.matches("[0-9a-f]{32}")) {
      throw new IllegalArgumentException("document ids are 32 lower-case hex characters");
    }
    return channelPath(channelId, "/documents/" + documentId + rest);
  }

  private static String channelPath(String channelId, String rest) {
    return "/api/v1/channels/" + requireChannelId(channelId) + rest;
  }

  /** Channel ids are the hex of the MLS group id's channel part; anything else is refused here. */
  public static String requireChannelId(String channelId) {
    if (channelId == null || !channelId.matches("[0-9a-f]{32}")) {
      throw new IllegalArgumentException("channel ids are 32 lower-case hex characters");
    }
    return channelId;
  }

  /** base64url without padding, as every byte field on the wire. */
  public static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  public static byte[] unb64(String text) {
    return Base64.getUrlDecoder().decode(text);
  }

  private Future<JsonObject> get(String path) {
    return call(HttpMethod.GET, path, null, true);
  }

  private Future<JsonObject> post(String path, JsonObject body) {
    return call(HttpMethod.POST, path, body, true);
  }

  private Future<JsonObject> put(String path, JsonObject body) {
    return call(HttpMethod.PUT, path, body, true);
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
                  && LiaisonException.hasCode(e, "token-expired")
                  && session != null) {
                return refresh().compose(v -> send(method, path, body, true));
              }
              return Future.failedFuture(e);
            });
  }

  /** Rotates the refresh token; the old one is dead from here on. */
  public Future<Void> refresh() {
    if (session == null) {
      return Future.failedFuture(LiaisonException.signInFirst());
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
        return Future.failedFuture(LiaisonException.signInFirst());
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
        error.getString("message", "The server answered " + status),
        error.getJsonObject("details"));
  }

  @Override
  public void close() {
    http.close();
    if (ownsVertx) {
      vertx.close();
    }
  }
}
