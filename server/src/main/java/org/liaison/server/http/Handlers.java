package org.liaison.server.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Consumer;
import java.util.function.Function;
import org.liaison.server.api.ApiError;

/**
 * Adapts a route written as "request in, future of JSON out" to a Vert.x handler: success is sent
 * with {@code status}; a thrown or failed {@link ApiError} goes to the error envelope. A route may
 * carry a {@link #guard}, run after authentication and before the action.
 */
public final class Handlers {
  private static final String GUARD = "liaison.guard";

  private Handlers() {}

  /**
   * Runs {@code check} before this route's action (after its authentication); a check throws to
   * refuse. For rules that span routes of several domains, installed by the composition root.
   */
  public static void guard(Route route, Consumer<RoutingContext> check) {
    route.putMetadata(GUARD, check);
  }

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
      Consumer<RoutingContext> guard =
          ctx.currentRoute() == null ? null : ctx.currentRoute().getMetadata(GUARD);
      if (guard != null) {
        guard.accept(ctx);
      }
      result = action.apply(ctx);
    } catch (RuntimeException e) {
      ctx.fail(e);
      return;
    }
    result.onSuccess(onSuccess).onFailure(ctx::fail);
  }
}
