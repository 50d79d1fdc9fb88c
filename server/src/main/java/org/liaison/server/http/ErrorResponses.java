package org.liaison.server.http;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.liaison.server.api.ApiError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes every error as {@code {"error":{"code","message","details"}}}. Unexpected failures are
 * logged here (without request bodies) and answered with a generic message: internals and stack
 * traces never reach a response.
 */
public final class ErrorResponses {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);

  private ErrorResponses() {}

  public static void install(Router router) {
    router.route().failureHandler(ErrorResponses::handleFailure);
    router.errorHandler(404, ctx -> send(ctx, notFound(ctx)));
    router.errorHandler(
        405, ctx -> send(ctx, new ApiError(405, "method-not-allowed", "Method not allowed here")));
    router.errorHandler(
        413,
        ctx -> send(ctx, new ApiError(413, "payload-too-large", "The request body is too large")));
    router.errorHandler(500, ErrorResponses::handleFailure);
  }

  private static ApiError notFound(RoutingContext ctx) {
    return new ApiError(
        404,
        "not-found",
        "No such resource: " + ctx.request().method() + " " + ctx.normalizedPath());
  }

  private static void handleFailure(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof ApiError api) {
      send(ctx, api);
      return;
    }
    int status = failure instanceof HttpException http ? http.getStatusCode() : ctx.statusCode();
    switch (status) {
      case 400 -> send(ctx, new ApiError(400, "bad-request", "The request could not be read"));
      case 401 -> send(ctx, ApiError.unauthorized("unauthorized", "Sign in first"));
      case 404 -> send(ctx, notFound(ctx));
      case 413 ->
          send(ctx, new ApiError(413, "payload-too-large", "The request body is too large"));
      default -> {
        LOG.error(
            "request failed method={} route={}",
            ctx.request().method(),
            RequestLog.routeOf(ctx),
            failure);
        send(ctx, ApiError.internal());
      }
    }
  }

  /** Sends the error unless a response is under way; completes when it has been written. */
  public static Future<Void> send(RoutingContext ctx, ApiError error) {
    HttpServerResponse response = ctx.response();
    if (response.ended() || response.headWritten()) {
      return Future.succeededFuture();
    }
    JsonObject body = new JsonObject().put("code", error.code()).put("message", error.getMessage());
    if (error.details() != null) {
      body.put("details", error.details());
    }
    if (error.details() != null && error.details().containsKey("retryAfterSeconds")) {
      response.putHeader("Retry-After", error.details().getValue("retryAfterSeconds").toString());
    }
    return response
        .setStatusCode(error.status())
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .end(new JsonObject().put("error", body).encode());
  }
}
