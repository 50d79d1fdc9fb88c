package org.liaison.server.realtime;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.liaison.server.api.ApiError;
import org.liaison.server.auth.Actor;
import org.liaison.server.auth.Authenticator;
import org.liaison.server.broadcasts.Broadcasts;
import org.liaison.server.config.LiaisonConfig;
import org.liaison.server.delivery.AppendRequests;
import org.liaison.server.delivery.DeliveryService;
import org.liaison.server.documents.Documents;

/**
 * {@code GET /api/v1/realtime}: one WebSocket per device. Authenticated by the access token, either
 * in the upgrade's Authorization header (SDKs) or in a first {@code auth} frame (browsers cannot
 * set headers on a WebSocket); the session must be bound to a device.
 */
public final class RealtimeRoutes {
  public static final String PATH = "/api/v1/realtime";

  private final Vertx vertx;
  private final Authenticator authenticator;
  private final DeliveryService delivery;
  private final AppendRequests requests;
  private final Documents documents;
  private final Broadcasts broadcasts;
  private final RealtimeLimits limits;
  private final SocketCounts sockets;

  public RealtimeRoutes(
      Vertx vertx,
      Authenticator authenticator,
      DeliveryService delivery,
      AppendRequests requests,
      Documents documents,
      Broadcasts broadcasts,
      LiaisonConfig config) {
    this.vertx = vertx;
    this.authenticator = authenticator;
    this.delivery = delivery;
    this.requests = requests;
    this.documents = documents;
    this.broadcasts = broadcasts;
    this.limits = RealtimeLimits.of(config);
    this.sockets = new SocketCounts(limits.socketsPerDevice(), limits.socketsPerUser());
  }

  /** The frame and message size the HTTP server's WebSocket transport accepts. */
  public static int transportLimit(LiaisonConfig config) {
    return RealtimeLimits.transportLimit(config);
  }

  /** Mounted on the root router, ahead of the API's body handler (an upgrade has no body). */
  public void mount(Router root) {
    root.get(PATH).handler(this::upgrade);
  }

  private void upgrade(RoutingContext ctx) {
    if (!ctx.request().canUpgradeToWebSocket()) {
      ctx.fail(new ApiError(400, "upgrade-required", "Connect with a WebSocket"));
      return;
    }
    String header = ctx.request().getHeader("Authorization");
    if (header != null) {
      if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
        ctx.fail(ApiError.unauthorized("missing-token", "Sign in first"));
        return;
      }
      // The upgrade must wait for the token check; a request left flowing would end meanwhile.
      ctx.request().pause();
      authenticate(header.substring(7).trim())
          .onFailure(ctx::fail)
          .onSuccess(
              admitted ->
                  ctx.request()
                      .toWebSocket()
                      .onSuccess(ws -> connection(ws, admitted).start())
                      .onFailure(
                          e -> {
                            admitted.lease().release();
                            ctx.fail(e);
                          }));
      return;
    }
    ctx.request().toWebSocket().onSuccess(this::awaitAuthFrame).onFailure(ctx::fail);
  }

  /** The signed-in device, holding one of its places for a socket. */
  private record Admitted(Actor actor, SocketCounts.Lease lease) {}

  private Future<Admitted> authenticate(String token) {
    return authenticator
        .authenticate(token)
        .map(actor -> new Admitted(actor, sockets.open(actor.user().id(), actor.requireDevice())));
  }

  private DeviceConnection connection(ServerWebSocket ws, Admitted admitted) {
    return new DeviceConnection(
        vertx,
        ws,
        admitted.actor(),
        admitted.lease(),
        delivery,
        requests,
        documents,
        broadcasts,
        limits);
  }

  /** Browsers: the first frame must be {@code {"type":"auth","token":…}}, within a deadline. */
  private void awaitAuthFrame(ServerWebSocket ws) {
    long deadline =
        vertx.setTimer(
            limits.authTimeoutMillis(),
            t ->
                DeviceConnection.refuse(
                    ws, ApiError.unauthorized("auth-timeout", "Send auth first")));
    ws.textMessageHandler(
        text -> {
          vertx.cancelTimer(deadline);
          ws.textMessageHandler(null);
          if (limits.tooLong(text)) {
            ws.close(DeviceConnection.CLOSE_TOO_BIG, "frame-too-large");
            return;
          }
          String token;
          try {
            JsonObject frame = new JsonObject(text);
            if (!"auth".equals(frame.getString("type")) || frame.getString("token") == null) {
              DeviceConnection.refuse(
                  ws, ApiError.unauthorized("missing-token", "The first frame must be auth"));
              return;
            }
            token = frame.getString("token");
          } catch (DecodeException | ClassCastException e) {
            DeviceConnection.refuse(ws, new ApiError(400, "malformed-frame", "Not a JSON object"));
            return;
          }
          ws.pause();
          authenticate(token)
              .onSuccess(
                  admitted -> {
                    connection(ws, admitted).start();
                    ws.resume();
                  })
              .onFailure(e -> DeviceConnection.refuse(ws, e));
        });
  }
}
