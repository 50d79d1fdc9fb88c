package org.liaison.server.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.liaison.server.api.ApiError;

/**
 * Closes HTTP connections whose clients do not finish, so slow or silent clients cannot hold a
 * node's connections: no complete request head within {@code idle} of connecting or of the last
 * response (an idle keep-alive connection, or a head trickled a byte at a time, which a plain idle
 * timer would never catch), or a body not complete within {@code body} of its head (answered 408).
 *
 * <p>A connection that became a realtime socket is left alone: a quiet socket is normal there and
 * realtime has its own limits. That is why Vert.x's connection idle timeout is not used: it would
 * close quiet sockets too. A connection's callbacks all run on its event loop; only the map is
 * shared.
 */
public final class ConnectionDeadlines {
  private final Vertx vertx;
  private final long idleMillis;
  private final long bodyMillis;
  private final Map<HttpConnection, Watch> watches = new ConcurrentHashMap<>();

  public ConnectionDeadlines(Vertx vertx, int idleSeconds, int bodySeconds) {
    this.vertx = vertx;
    this.idleMillis = idleSeconds * 1000L;
    this.bodyMillis = bodySeconds * 1000L;
  }

  /** One connection: requests in progress, and the timer running while there are none. */
  private final class Watch {
    private final HttpConnection connection;
    private int inProgress;
    private long idleTimer = -1;
    private boolean upgraded;

    Watch(HttpConnection connection) {
      this.connection = connection;
    }

    void waitForRequest() {
      if (inProgress == 0 && !upgraded && idleTimer < 0) {
        idleTimer = vertx.setTimer(idleMillis, t -> connection.close());
      }
    }

    void started() {
      inProgress++;
      stopWaiting();
    }

    void finished(boolean becameSocket) {
      inProgress--;
      upgraded |= becameSocket;
      waitForRequest();
    }

    void stopWaiting() {
      if (idleTimer >= 0) {
        vertx.cancelTimer(idleTimer);
        idleTimer = -1;
      }
    }
  }

  /** For {@code HttpServer.connectionHandler}: every new connection must send a request in time. */
  public void connected(HttpConnection connection) {
    Watch watch = new Watch(connection);
    watches.put(connection, watch);
    connection.closeHandler(
        v -> {
          watches.remove(connection);
          watch.stopWaiting();
        });
    watch.waitForRequest();
  }

  /** The first handler of the root router: a request head has arrived on its connection. */
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    Watch watch = watches.get(request.connection());
    if (watch == null) {
      ctx.next();
      return;
    }
    watch.started();
    // An upgrade has no body, and once upgraded the request never "ends" as HTTP.
    boolean upgrade = request.canUpgradeToWebSocket();
    long bodyTimer =
        upgrade || request.isEnded()
            ? -1
            : vertx.setTimer(
                bodyMillis,
                t -> {
                  if (!request.isEnded()) {
                    tooSlow(ctx, watch.connection);
                  }
                });
    ctx.addEndHandler(
        done -> {
          if (bodyTimer >= 0) {
            vertx.cancelTimer(bodyTimer);
          }
          // An upgrade that was refused ends with an error status and stays HTTP.
          watch.finished(upgrade && ctx.response().getStatusCode() < 400);
        });
    ctx.next();
  }

  private static void tooSlow(RoutingContext ctx, HttpConnection connection) {
    if (ctx.response().headWritten()) {
      connection.close();
      return;
    }
    ErrorResponses.send(
            ctx, new ApiError(408, "request-timeout", "The request body did not arrive in time"))
        .onComplete(v -> connection.close());
  }
}
