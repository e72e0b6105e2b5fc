package dev.waterfall.coordinator.api;

import dev.waterfall.coordinator.metrics.CoordinatorMetrics;
import dev.waterfall.coordinator.streams.StreamCatalog;
import dev.waterfall.coordinator.streams.StreamRecord;
import dev.waterfall.protocol.RestError;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The streams themselves: create, list, describe, rotate a publish key, delete. */
final class StreamCalls {
  // The REST API's log, as before the split.
  private static final Logger LOG = LoggerFactory.getLogger(RestApi.class);
  private final StreamCatalog catalog;
  private final CoordinatorMetrics metrics;
  private final AdminAuth admin;
  private final StreamLookup streams;

  StreamCalls(
      StreamCatalog catalog, CoordinatorMetrics metrics, AdminAuth admin, StreamLookup streams) {
    this.catalog = catalog;
    this.metrics = metrics;
    this.admin = admin;
    this.streams = streams;
  }

  void createStream(RoutingContext ctx) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      Json.error(
          ctx,
          400,
          RestError.MALFORMED_JSON,
          "the body must be a JSON object like {\"name\":\"demo\"}");
      return;
    }
    if (body == null) {
      Json.error(
          ctx,
          400,
          RestError.MALFORMED_JSON,
          "the body must be a JSON object like {\"name\":\"demo\"}");
      return;
    }
    if (!(body.getValue("name") instanceof String)) {
      Json.error(
          ctx, 400, RestError.INVALID_STREAM, "name must be a string, e.g. {\"name\":\"demo\"}");
      return;
    }
    StreamCatalog.Spec spec;
    try {
      spec =
          new StreamCatalog.Spec(
              body.getString("name"),
              body.getInteger("bitrateKbps"),
              body.getInteger("maxChildren"),
              body.getBoolean("private"),
              body.getString("type"));
    } catch (ClassCastException e) {
      Json.error(
          ctx,
          400,
          RestError.INVALID_STREAM,
          "name and type must be strings, bitrateKbps and maxChildren numbers, private a boolean");
      return;
    }
    catalog
        .create(spec)
        .onComplete(
            ar -> {
              if (ar.failed() && ar.cause() instanceof IllegalArgumentException e) {
                Json.error(ctx, 400, RestError.INVALID_STREAM, e.getMessage());
              } else if (ar.failed()) {
                ctx.fail(ar.cause());
              } else if (ar.result() == null) {
                Json.error(
                    ctx,
                    409,
                    RestError.STREAM_EXISTS,
                    "a stream named '" + spec.name() + "' already exists");
              } else {
                LOG.info("stream '{}' created", spec.name());
                Json.reply(
                    ctx,
                    201,
                    describe(ar.result().record(), true)
                        .put("publishKey", ar.result().publishKey()));
              }
            });
  }

  void listStreams(RoutingContext ctx) {
    catalog
        .registry()
        .list()
        .onSuccess(
            list -> {
              JsonArray out = new JsonArray();
              list.forEach(r -> out.add(describe(r, true)));
              Json.reply(ctx, 200, new JsonObject().put("streams", out));
            })
        .onFailure(ctx::fail);
  }

  /** One stream's public description: what a page needs to choose how to play it (its type). */
  void stream(RoutingContext ctx) {
    streams.withStream(
        ctx,
        "a private stream needs the admin token",
        stream -> Json.reply(ctx, 200, describe(stream, admin.allows(ctx))));
  }

  /**
   * A new publish key for the stream, shown once. {@code ?disconnect=true} also closes the
   * connected origin (error {@code key-rotated}) and spends its resume tokens; without it the
   * origin carries on until it leaves.
   */
  void rotateKey(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    List<String> flags = ctx.queryParams().getAll("disconnect");
    String flag = flags.isEmpty() ? null : flags.get(0);
    if (flags.size() > 1 || flag != null && !flag.equals("true") && !flag.equals("false")) {
      Json.error(
          ctx,
          400,
          RestError.INVALID_DISCONNECT,
          "disconnect must be true or false (default false)");
      return;
    }
    boolean disconnect = "true".equals(flag);
    catalog
        .rotateKey(name, disconnect)
        .onSuccess(
            rotated -> {
              if (rotated == null) {
                StreamLookup.noSuchStream(ctx, name);
                return;
              }
              LOG.info(
                  "publish key of '{}' rotated{}",
                  name,
                  disconnect ? "; its origin disconnected" : "");
              Json.reply(
                  ctx,
                  200,
                  describe(rotated.record(), true).put("publishKey", rotated.publishKey()));
            })
        .onFailure(ctx::fail);
  }

  void deleteStream(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    catalog
        .delete(name)
        .onSuccess(
            found -> {
              if (found) {
                metrics.forget(name);
                LOG.info("stream '{}' deleted", name);
                ctx.response().setStatusCode(204).end();
              } else {
                StreamLookup.noSuchStream(ctx, name);
              }
            })
        .onFailure(ctx::fail);
  }

  /**
   * {@code admin}: also where the origin takes its encoder's stream, which names the origin's host.
   */
  static JsonObject describe(StreamRecord r, boolean admin) {
    JsonObject out =
        new JsonObject()
            .put("name", r.name())
            .put("type", r.type())
            .put("bitrateKbps", r.bitrateKbps())
            .put("maxChildren", r.maxChildren())
            .put("private", r.privateStream())
            .put("createdAt", Instant.ofEpochMilli(r.createdAt()).toString())
            .put("publicKey", r.publicKey());
    if (admin && r.ingest() != null) {
      JsonObject ingest = new JsonObject();
      if (r.ingest().rtmp() != null) {
        ingest.put("rtmp", r.ingest().rtmp());
      }
      if (r.ingest().whip() != null) {
        ingest.put("whip", r.ingest().whip());
      }
      out.put("ingest", ingest);
    }
    return out;
  }
}
