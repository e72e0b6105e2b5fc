package dev.waterfall.coordinator.api;

import dev.waterfall.coordinator.streams.StreamCatalog;
import dev.waterfall.coordinator.streams.ViewerTokens;
import dev.waterfall.protocol.RestError;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;

/** Credentials the admin hands out: viewer tokens of private streams, booster tokens. */
final class TokenCalls {
  private final StreamCatalog catalog;
  private final ViewerTokens viewerTokens;
  private final Clock clock;
  private final StreamLookup streams;

  TokenCalls(StreamCatalog catalog, ViewerTokens viewerTokens, Clock clock, StreamLookup streams) {
    this.catalog = catalog;
    this.viewerTokens = viewerTokens;
    this.clock = clock;
    this.streams = streams;
  }

  /**
   * A signed, expiring token that lets one private stream be watched; it exists only in this
   * answer.
   */
  void newViewerToken(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    long ttl = ViewerTokens.DEFAULT_TTL_SECONDS;
    String text = ctx.body().asString();
    if (text != null && !text.isBlank()) {
      Object value;
      try {
        JsonObject body = new JsonObject(text);
        value = body.getValue("ttlSeconds");
      } catch (DecodeException | ClassCastException e) {
        Json.error(
            ctx,
            400,
            RestError.MALFORMED_JSON,
            "the body must be a JSON object like {\"ttlSeconds\":3600}");
        return;
      }
      if (value != null && !(value instanceof Integer || value instanceof Long)) {
        Json.error(ctx, 400, RestError.INVALID_TTL, "ttlSeconds must be a whole number of seconds");
        return;
      }
      ttl = value == null ? ttl : ((Number) value).longValue();
    }
    if (ttl < 1 || ttl > ViewerTokens.MAX_TTL_SECONDS) {
      Json.error(
          ctx,
          400,
          RestError.INVALID_TTL,
          "ttlSeconds must be between 1 and " + ViewerTokens.MAX_TTL_SECONDS);
      return;
    }
    long expiresAt = clock.millis() / 1000 + ttl;
    streams.lookup(
        ctx,
        stream -> {
          if (!stream.privateStream()) {
            Json.error(
                ctx,
                400,
                RestError.NOT_PRIVATE,
                "'" + name + "' is public: anyone may watch it without a token");
          } else {
            Json.reply(
                ctx,
                201,
                new JsonObject()
                    .put("stream", name)
                    .put("token", viewerTokens.issue(stream, expiresAt))
                    .put("expiresAt", Instant.ofEpochSecond(expiresAt).toString()));
          }
        });
  }

  void newBoosterToken(RoutingContext ctx) {
    catalog
        .registry()
        .newBoosterToken()
        .onSuccess(token -> Json.reply(ctx, 201, new JsonObject().put("token", token)))
        .onFailure(ctx::fail);
  }

  void revokeBoosterToken(RoutingContext ctx) {
    catalog
        .registry()
        .revokeBoosterToken(ctx.pathParam("token"))
        .onSuccess(
            found -> {
              if (found) {
                ctx.response().setStatusCode(204).end();
              } else {
                Json.error(ctx, 404, RestError.UNKNOWN_TOKEN, "no such booster token");
              }
            })
        .onFailure(ctx::fail);
  }
}
