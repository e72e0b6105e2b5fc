package dev.waterfall.coordinator.api;

import dev.waterfall.protocol.RestError;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** JSON replies, including the one error shape every REST call uses. */
final class Json {
  private Json() {}

  static void reply(RoutingContext ctx, int status, Object body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(body instanceof JsonObject j ? j.encode() : io.vertx.core.json.Json.encode(body));
  }

  static void error(RoutingContext ctx, int status, RestError code, String message) {
    reply(ctx, status, new JsonObject().put("error", code.wire()).put("message", message));
  }
}
