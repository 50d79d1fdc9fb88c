package org.liaison.client.channels;

import static org.liaison.client.channels.DeviceContext.LOG;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;

/**
 * The realtime WebSocket itself: opening it (refreshing the access token once when the upgrade is
 * refused), authenticating, writing frames and closing. What the frames mean is {@link Realtime}'s
 * business. Runs on the device's context.
 */
final class RealtimeConnection {
  private final DeviceContext ctx;
  private WebSocketClient webSockets;
  private WebSocket socket;
  private Promise<Void> ready;

  RealtimeConnection(DeviceContext ctx) {
    this.ctx = ctx;
  }

  boolean isOpen() {
    return socket != null;
  }

  /**
   * Opens the socket and hands it every text frame. The answer completes when the frame handler
   * completes {@link #readiness} (on the server's {@code ready}), and fails if the socket closes
   * first.
   */
  Future<Void> open(Handler<String> frames) {
    return open(frames, true);
  }

  /** The readiness of the socket opened last; the frame handler settles it. */
  Promise<Void> readiness() {
    return ready;
  }

  /** Writes a frame if the socket is open; answers whether it was. */
  boolean send(JsonObject frame) {
    if (socket == null) {
      return false;
    }
    socket.writeTextMessage(frame.encode());
    return true;
  }

  /** Closes the socket (the device stays usable over HTTP). */
  Future<Void> disconnect() {
    WebSocket open = socket;
    socket = null;
    return open == null ? Future.succeededFuture() : open.close();
  }

  /** Closes the socket and the WebSocket client for good. */
  void close() {
    WebSocket open = socket;
    socket = null;
    if (open != null) {
      open.close();
    }
    if (webSockets != null) {
      webSockets.close();
    }
  }

  private Future<Void> open(Handler<String> frames, boolean refreshOnce) {
    if (webSockets == null) {
      webSockets =
          ctx.vertx()
              .createWebSocketClient(
                  new WebSocketClientOptions()
                      .setMaxFrameSize(1 << 20)
                      .setMaxMessageSize(1 << 20)
                      .setConnectTimeout(10_000));
    }
    URI base = ctx.client.baseUri();
    boolean tls = "https".equals(base.getScheme());
    String token =
        ctx.client
            .session()
            .orElseThrow(() -> new IllegalStateException("sign in first"))
            .accessToken();
    WebSocketConnectOptions connect =
        new WebSocketConnectOptions()
            .setHost(base.getHost())
            .setPort(base.getPort() > 0 ? base.getPort() : (tls ? 443 : 80))
            .setSsl(tls)
            .setURI("/api/v1/realtime");
    if (!ctx.options.authFrame()) {
      connect.addHeader("Authorization", "Bearer " + token);
    }
    return webSockets
        .connect(connect)
        .recover(
            e -> {
              if (refreshOnce
                  && e instanceof UpgradeRejectedException rejected
                  && rejected.getStatus() == 401) {
                return ctx.client.refresh().compose(v -> open(frames, false)).map(v -> socket);
              }
              return Future.failedFuture(e);
            })
        .compose(
            ws -> {
              if (ws == socket) {
                return Future.succeededFuture(); // opened by the retry above
              }
              socket = ws;
              Promise<Void> whenReady = Promise.promise();
              ready = whenReady;
              ws.textMessageHandler(frames);
              if (ctx.options.authFrame()) {
                ws.writeTextMessage(
                    new JsonObject().put("type", "auth").put("token", token).encode());
              }
              ws.closeHandler(
                  v -> {
                    if (socket == ws) {
                      socket = null;
                      LOG.info("realtime connection closed ({})", ws.closeStatusCode());
                      whenReady.tryFail("realtime connection closed before ready");
                    }
                  });
              return whenReady.future();
            });
  }
}
