package org.liaison.server.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A raw realtime connection on 127.0.0.1 that collects the server's frames, for tests. */
public final class RealtimeClient implements AutoCloseable {
  public static final Duration WAIT = Duration.ofSeconds(20);

  private final Vertx vertx = Vertx.vertx();
  private final WebSocket socket;
  public final BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
  private volatile Short closeStatus;

  private RealtimeClient(int port, String token) {
    WebSocketClient client =
        vertx.createWebSocketClient(
            new WebSocketClientOptions().setMaxFrameSize(4 << 20).setMaxMessageSize(4 << 20));
    WebSocketConnectOptions options =
        new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/api/v1/realtime");
    if (token != null) {
      options.addHeader("Authorization", "Bearer " + token);
    }
    ClientWebSocket ws = client.webSocket();
    ws.textMessageHandler(text -> frames.add(new JsonObject(text)));
    ws.closeHandler(v -> closeStatus = ws.closeStatusCode());
    TestServer.await(ws.connect(options));
    socket = ws;
  }

  /** Connects with the token in the upgrade's Authorization header. */
  public static RealtimeClient connect(int port, String token) {
    return new RealtimeClient(port, token);
  }

  /** Connects without a header (as a browser does); the first frame must authenticate. */
  public static RealtimeClient connectAnonymously(int port) {
    return new RealtimeClient(port, null);
  }

  public void send(JsonObject frame) {
    TestServer.await(socket.writeTextMessage(frame.encode()));
  }

  public void sendText(String text) {
    TestServer.await(socket.writeTextMessage(text));
  }

  /** The next frame of this type; earlier frames of other types are dropped. */
  public JsonObject next(String type) {
    long end = System.nanoTime() + WAIT.toNanos();
    try {
      while (System.nanoTime() < end) {
        JsonObject frame = frames.poll(end - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (frame != null && type.equals(frame.getString("type"))) {
          return frame;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw new AssertionError("no '" + type + "' frame within " + WAIT);
  }

  /** Waits for the server to close the socket; the close status code. */
  public short awaitClose() {
    long end = System.nanoTime() + 2 * WAIT.toNanos();
    while (closeStatus == null && System.nanoTime() < end) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (closeStatus == null) {
      throw new AssertionError("the server did not close the socket within " + WAIT);
    }
    return closeStatus;
  }

  /** Stops reading from the socket, as a device on a stalled network would. */
  public void pause() {
    socket.pause();
  }

  public void resume() {
    socket.resume();
  }

  public boolean isClosed() {
    return socket.isClosed();
  }

  @Override
  public void close() {
    if (!socket.isClosed()) {
      TestServer.await(socket.close());
    }
    TestServer.await(vertx.close());
  }
}
