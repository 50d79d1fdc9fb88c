package org.liaison.server.http;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RequestBody;
import io.vertx.ext.web.RoutingContext;
import org.liaison.server.api.ApiError;

/** Reading JSON request bodies and answering with JSON. */
public final class Bodies {
  private Bodies() {}

  /** The body as a JSON object; 415 if it is not declared JSON, 400 if it does not parse. */
  public static JsonObject json(RoutingContext ctx) {
    String contentType = ctx.request().getHeader("Content-Type");
    RequestBody body = ctx.body();
    boolean empty = body == null || body.length() == 0;
    if (empty && contentType == null) {
      return new JsonObject();
    }
    if (contentType == null || !contentType.toLowerCase().startsWith("application/json")) {
      throw new ApiError(415, "unsupported-media-type", "Send the body as application/json");
    }
    if (empty) {
      return new JsonObject();
    }
    if (!body.asString().stripLeading().startsWith("{")) {
      throw new ApiError(400, "malformed-json", "The body must be a JSON object");
    }
    try {
      return new JsonObject(body.buffer());
    } catch (DecodeException e) {
      throw new ApiError(400, "malformed-json", "The body is not valid JSON");
    }
  }

  public static void ok(RoutingContext ctx, JsonObject json) {
    send(ctx, 200, json);
  }

  public static void created(RoutingContext ctx, JsonObject json) {
    send(ctx, 201, json);
  }

  public static void send(RoutingContext ctx, int status, JsonObject json) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .end(json.encode());
  }
}
