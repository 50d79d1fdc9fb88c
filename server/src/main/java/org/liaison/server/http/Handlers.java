package org.liaison.server.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;
import org.liaison.server.api.ApiError;

/**
 * Adapts a route written as "request in, future of JSON out" to a Vert.x handler: success is sent
 * with {@code status}; a thrown or failed {@link ApiError} goes to the error envelope.
 */
public final class Handlers {
  private Handlers() {}

  public static Handler<RoutingContext> json(
      int status, Function<RoutingContext, Future<JsonObject>> action) {
    return ctx -> run(ctx, action, json -> Bodies.send(ctx, status, json));
  }

  public static Handler<RoutingContext> noContent(Function<RoutingContext, Future<Void>> action) {
    return ctx -> run(ctx, action, v -> ctx.response().setStatusCode(204).end());
  }

  public static <T> void run(
      RoutingContext ctx, Function<RoutingContext, Future<T>> action, Handler<T> onSuccess) {
    Future<T> result;
    try {
      result = action.apply(ctx);
    } catch (RuntimeException e) {
      ctx.fail(e);
      return;
    }
    result.onSuccess(onSuccess).onFailure(ctx::fail);
  }
}
