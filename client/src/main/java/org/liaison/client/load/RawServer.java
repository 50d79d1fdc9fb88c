package org.liaison.client.load;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The ceiling to compare Liaison with: a minimal Vert.x WebSocket server on 127.0.0.1 where each
 * connection joins the room named in its query ({@code /ws?room=7}) and every text frame is written
 * verbatim to the room's other members. No parsing, no storage, no authentication. By default one
 * server instance, i.e. one event loop, as a Liaison node has.
 */
final class RawServer {
  private RawServer() {}

  static void run(int port, int instances) {
    Vertx vertx = Vertx.vertx();
    ConcurrentHashMap<String, List<ServerWebSocket>> rooms = new ConcurrentHashMap<>();
    vertx
        .deployVerticle(
            () ->
                new VerticleBase() {
                  @Override
                  public Future<?> start() {
                    return vertx
                        .createHttpServer(
                            new HttpServerOptions()
                                .setMaxWebSocketFrameSize(1 << 20)
                                .setMaxWebSocketMessageSize(1 << 20))
                        .webSocketHandler(ws -> join(rooms, ws))
                        .listen(port, "127.0.0.1");
                  }
                },
            new DeploymentOptions().setInstances(instances))
        .onSuccess(
            id ->
                Report.progress(
                    "raw WebSocket broadcast server on 127.0.0.1:%d, %d event loop(s)",
                    port, instances))
        .onFailure(
            e -> {
              Report.progress("raw server failed: %s", e);
              System.exit(1);
            });
  }

  private static void join(
      ConcurrentHashMap<String, List<ServerWebSocket>> rooms, ServerWebSocket ws) {
    String query = ws.query() == null ? "" : ws.query();
    String room = query.startsWith("room=") ? query.substring(5) : "";
    List<ServerWebSocket> members = rooms.computeIfAbsent(room, r -> new CopyOnWriteArrayList<>());
    members.add(ws);
    ws.closeHandler(v -> members.remove(ws));
    ws.exceptionHandler(e -> {});
    ws.textMessageHandler(
        text -> {
          for (ServerWebSocket other : members) {
            if (other != ws) {
              other.writeTextMessage(text);
            }
          }
        });
  }
}
