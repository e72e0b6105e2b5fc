package dev.waterfall.coordinator.api;

import dev.waterfall.coordinator.cluster.CoordinatorDirectory;
import dev.waterfall.coordinator.cluster.NodeView;
import dev.waterfall.coordinator.cluster.TreeStore;
import dev.waterfall.coordinator.dashboard.DashboardFeed;
import dev.waterfall.coordinator.metrics.CoordinatorMetrics;
import dev.waterfall.coordinator.signalling.ClientAddresses;
import dev.waterfall.coordinator.streams.StreamCatalog;
import dev.waterfall.coordinator.streams.StreamRecord;
import dev.waterfall.coordinator.streams.UsableUrls;
import dev.waterfall.coordinator.streams.ViewerTokens;
import dev.waterfall.protocol.ErrorCode;
import dev.waterfall.protocol.http.Cors;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The REST API: streams, booster tokens, tree views, health and metrics. */
public final class RestApi {
  private static final Logger LOG = LoggerFactory.getLogger(RestApi.class);
  private final StreamCatalog catalog;
  private final TreeStore trees;
  private final CoordinatorMetrics metrics;
  private final AdminAuth admin;
  private final Supplier<JsonObject> health;

  private final DashboardFeed dashboard;
  private final ViewerTokens viewerTokens;
  private final Clock clock;
  private final CoordinatorDirectory directory;

  private final ClientAddresses addresses;

  public RestApi(
      StreamCatalog catalog,
      TreeStore trees,
      DashboardFeed dashboard,
      CoordinatorMetrics metrics,
      String adminToken,
      Supplier<JsonObject> health,
      ViewerTokens viewerTokens,
      Clock clock,
      CoordinatorDirectory directory,
      ClientAddresses addresses) {
    this.addresses = addresses;
    this.directory = directory;
    this.viewerTokens = viewerTokens;
    this.clock = clock;
    this.dashboard = dashboard;
    this.catalog = catalog;
    this.trees = trees;
    this.metrics = metrics;
    this.admin = new AdminAuth(adminToken);
    this.health = health;
  }

  public void mount(Vertx vertx, Router router) {
    WebPages.mount(router);
    router.get("/health").handler(ctx -> Json.reply(ctx, 200, health.get()));
    router
        .get("/metrics")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                    .end(metrics.scrape()));

    router.route("/api/*").handler(BodyHandler.create().setBodyLimit(16 * 1024));
    // What a player on another site reads (web-player's waterfall-p2p.js): the stream's type and
    // its sources. A private stream's fallbacks need the viewer token in Authorization, hence the
    // preflight.
    for (String read : new String[] {"/api/streams/:name", "/api/streams/:name/fallbacks"}) {
      router.options(read).handler(ctx -> Cors.preflight(ctx.request()));
      router
          .get(read)
          .handler(
              ctx -> {
                Cors.allow(ctx.response());
                ctx.next();
              });
    }
    router.get("/api/streams/:name/tree").handler(this::tree);
    router.get("/api/streams/:name/fallbacks").handler(this::fallbacks);
    router.get("/api/streams/:name/dashboard").handler(this::dashboard);
    router.get("/api/streams/:name").handler(this::stream);
    router.post("/api/streams").handler(admin).handler(this::createStream);
    router.get("/api/streams").handler(admin).handler(this::listStreams);
    router.delete("/api/streams/:name").handler(admin).handler(this::deleteStream);
    router.post("/api/streams/:name/viewer-tokens").handler(admin).handler(this::newViewerToken);
    router.post("/api/streams/:name/key").handler(admin).handler(this::rotateKey);
    router.post("/api/booster-tokens").handler(admin).handler(this::newBoosterToken);
    router.delete("/api/booster-tokens/:token").handler(admin).handler(this::revokeBoosterToken);
    router
        .route("/api/*")
        .last()
        .handler(ctx -> Json.error(ctx, 404, "not-found", "no such API call"));
    router.route().failureHandler(this::failure);
  }

  private void createStream(RoutingContext ctx) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      Json.error(
          ctx,
          400,
          ErrorCode.MALFORMED_JSON.wire(),
          "the body must be a JSON object like {\"name\":\"demo\"}");
      return;
    }
    if (body == null) {
      Json.error(
          ctx,
          400,
          ErrorCode.MALFORMED_JSON.wire(),
          "the body must be a JSON object like {\"name\":\"demo\"}");
      return;
    }
    if (!(body.getValue("name") instanceof String)) {
      Json.error(ctx, 400, "invalid-stream", "name must be a string, e.g. {\"name\":\"demo\"}");
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
          "invalid-stream",
          "name and type must be strings, bitrateKbps and maxChildren numbers, private a boolean");
      return;
    }
    catalog
        .create(spec)
        .onComplete(
            ar -> {
              if (ar.failed() && ar.cause() instanceof IllegalArgumentException e) {
                Json.error(ctx, 400, "invalid-stream", e.getMessage());
              } else if (ar.failed()) {
                ctx.fail(ar.cause());
              } else if (ar.result() == null) {
                Json.error(
                    ctx,
                    409,
                    "stream-exists",
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

  private void listStreams(RoutingContext ctx) {
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
  private void stream(RoutingContext ctx) {
    withStream(
        ctx,
        "a private stream needs the admin token",
        stream -> Json.reply(ctx, 200, describe(stream, admin.allows(ctx))));
  }

  /**
   * Looks the stream up for a public read and answers for it: 404 if there is none; 401 if a Bearer
   * token was sent and is not the admin token (a wrong credential is said so, not quietly served
   * the public view), or if the stream is private and the admin token is missing ({@code
   * privateMessage}). Otherwise hands the stream on.
   */
  private void withStream(RoutingContext ctx, String privateMessage, Consumer<StreamRecord> then) {
    lookup(
        ctx,
        stream -> {
          boolean isAdmin = admin.allows(ctx);
          if (!isAdmin && ctx.request().getHeader("Authorization") != null) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
            Json.error(
                ctx,
                401,
                "unauthorized",
                "the Authorization header is not the admin token: send the admin token, or"
                    + " no Authorization for the public view");
          } else if (stream.privateStream() && !isAdmin) {
            Json.error(ctx, 401, "unauthorized", privateMessage);
          } else {
            then.accept(stream);
          }
        });
  }

  /** The stream named in the path, handed on; 404 if there is none. */
  private void lookup(RoutingContext ctx, Consumer<StreamRecord> then) {
    String name = ctx.pathParam("name");
    catalog
        .registry()
        .get(name)
        .onSuccess(
            stream -> {
              if (stream == null) {
                noSuchStream(ctx, name);
              } else {
                then.accept(stream);
              }
            })
        .onFailure(ctx::fail);
  }

  private static void noSuchStream(RoutingContext ctx, String name) {
    Json.error(
        ctx, 404, ErrorCode.UNKNOWN_STREAM.wire(), "there is no stream named '" + name + "'");
  }

  /**
   * A new publish key for the stream, shown once. {@code ?disconnect=true} also closes the
   * connected origin (error {@code key-rotated}) and spends its resume tokens; without it the
   * origin carries on until it leaves.
   */
  private void rotateKey(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    List<String> flags = ctx.queryParams().getAll("disconnect");
    String flag = flags.isEmpty() ? null : flags.get(0);
    if (flags.size() > 1 || flag != null && !flag.equals("true") && !flag.equals("false")) {
      Json.error(
          ctx, 400, "invalid-disconnect", "disconnect must be true or false (default false)");
      return;
    }
    boolean disconnect = "true".equals(flag);
    catalog
        .rotateKey(name, disconnect)
        .onSuccess(
            rotated -> {
              if (rotated == null) {
                noSuchStream(ctx, name);
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

  private void deleteStream(RoutingContext ctx) {
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
                noSuchStream(ctx, name);
              }
            })
        .onFailure(ctx::fail);
  }

  private void tree(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    withStream(
        ctx,
        "the tree of a private stream needs the admin token",
        stream ->
            trees
                .snapshot(name)
                .onSuccess(
                    nodes -> {
                      if (nodes == null) {
                        noSuchStream(ctx, name);
                        return;
                      }
                      JsonArray out = new JsonArray();
                      for (NodeView n : nodes) {
                        out.add(
                            new JsonObject()
                                .put("id", n.id())
                                .put("role", n.role())
                                .put("parent", n.parent())
                                .put("depth", n.depth())
                                .put("children", new JsonArray(n.children()))
                                .put("capacity", n.capacity())
                                .put("joinedAt", Instant.ofEpochMilli(n.joinedAt()).toString())
                                // connected: a live coordinator holds its socket (a dead one's
                                // nodes are not, until they resume).
                                .put("connected", directory.isLive(n.owner()))
                                .put("coordinator", directory.urlOf(n.owner())));
                      }
                      Json.reply(
                          ctx,
                          200,
                          new JsonObject()
                              .put("stream", name)
                              .put("size", nodes.size())
                              .put("nodes", out));
                    })
                .onFailure(ctx::fail));
  }

  /**
   * The dashboard's live feed (Server-Sent Events); public like the tree, except for private
   * streams.
   */
  private void dashboard(RoutingContext ctx) {
    withStream(
        ctx,
        "the dashboard of a private stream needs the admin token",
        stream -> {
          if (!dashboard.subscribe(stream.name(), ctx.response())) {
            ctx.response().putHeader("Retry-After", "10");
            Json.error(
                ctx,
                503,
                "too-many-dashboards",
                "this coordinator serves "
                    + DashboardFeed.MAX_SUBSCRIBERS
                    + " dashboards already; try again later or ask another coordinator");
          }
        });
  }

  /**
   * What a relay needs before it joins, and a page before it plays: the origin's signing key and
   * the HTTP sources (origin, boosters). Relays (a booster token) and the admin get every source;
   * anyone else gets those a page like theirs can fetch ({@link UsableUrls}), and how many were
   * withheld.
   */
  private void fallbacks(RoutingContext ctx) {
    lookup(
        ctx,
        stream -> {
          String bearer = bearer(ctx);
          Future<Boolean> relay =
              admin.allows(ctx)
                  ? Future.succeededFuture(true)
                  : bearer == null
                      ? Future.succeededFuture(false)
                      : catalog.registry().isBoosterToken(bearer);
          relay
              .onSuccess(
                  isRelay -> {
                    if (isRelay) {
                      replyFallbacks(ctx, stream, null);
                    } else if (!stream.privateStream()
                        || viewerTokens.check(stream, bearer, clock.millis())
                            == ViewerTokens.Verdict.VALID) {
                      // Those who may be in a private stream's tree need its fallbacks too:
                      // token-holding viewers.
                      replyFallbacks(ctx, stream, addresses.page(ctx.request()));
                    } else {
                      Json.error(
                          ctx,
                          401,
                          "unauthorized",
                          "the fallbacks of a private stream need the admin token, a booster token or a viewer token");
                    }
                  })
              .onFailure(ctx::fail);
        });
  }

  /** {@code page} null: a relay's answer, every source. */
  private void replyFallbacks(RoutingContext ctx, StreamRecord stream, UsableUrls.Page page) {
    catalog
        .fallbacks()
        .list(stream.name())
        .onSuccess(
            all -> {
              List<String> urls = page == null ? all : UsableUrls.forPage(all, page);
              JsonObject body =
                  new JsonObject()
                      .put("stream", stream.name())
                      .put("type", stream.type())
                      .put("publicKey", stream.publicKey())
                      .put("fallbacks", new JsonArray(urls));
              if (page != null) {
                // sources this page could not fetch (http, private)
                body.put("withheld", all.size() - urls.size());
              }
              Json.reply(ctx, 200, body);
            })
        .onFailure(ctx::fail);
  }

  private static String bearer(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    return header != null && header.startsWith("Bearer ") ? header.substring(7).trim() : null;
  }

  /**
   * A signed, expiring token that lets one private stream be watched; it exists only in this
   * answer.
   */
  private void newViewerToken(RoutingContext ctx) {
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
            ErrorCode.MALFORMED_JSON.wire(),
            "the body must be a JSON object like {\"ttlSeconds\":3600}");
        return;
      }
      if (value != null && !(value instanceof Integer || value instanceof Long)) {
        Json.error(ctx, 400, "invalid-ttl", "ttlSeconds must be a whole number of seconds");
        return;
      }
      ttl = value == null ? ttl : ((Number) value).longValue();
    }
    if (ttl < 1 || ttl > ViewerTokens.MAX_TTL_SECONDS) {
      Json.error(
          ctx,
          400,
          "invalid-ttl",
          "ttlSeconds must be between 1 and " + ViewerTokens.MAX_TTL_SECONDS);
      return;
    }
    long expiresAt = clock.millis() / 1000 + ttl;
    lookup(
        ctx,
        stream -> {
          if (!stream.privateStream()) {
            Json.error(
                ctx,
                400,
                "not-private",
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

  private void newBoosterToken(RoutingContext ctx) {
    catalog
        .registry()
        .newBoosterToken()
        .onSuccess(token -> Json.reply(ctx, 201, new JsonObject().put("token", token)))
        .onFailure(ctx::fail);
  }

  private void revokeBoosterToken(RoutingContext ctx) {
    catalog
        .registry()
        .revokeBoosterToken(ctx.pathParam("token"))
        .onSuccess(
            found -> {
              if (found) {
                ctx.response().setStatusCode(204).end();
              } else {
                Json.error(ctx, 404, "unknown-token", "no such booster token");
              }
            })
        .onFailure(ctx::fail);
  }

  /**
   * {@code admin}: also where the origin takes its encoder's stream, which names the origin's host.
   */
  private static JsonObject describe(StreamRecord r, boolean admin) {
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

  private void failure(RoutingContext ctx) {
    int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
    if (status == 500) {
      // The route's pattern, not the path: a path can carry a credential (DELETE
      // /api/booster-tokens/<token>).
      String route = ctx.currentRoute() == null ? "?" : ctx.currentRoute().getPath();
      LOG.warn("REST {} {} failed", ctx.request().method(), route, ctx.failure());
      Json.error(
          ctx,
          500,
          ErrorCode.INTERNAL.wire(),
          "the coordinator could not complete this call; try again");
    } else if (status == 413) {
      Json.error(ctx, 413, ErrorCode.TOO_LARGE.wire(), "request body too large");
    } else {
      Json.error(ctx, status, "bad-request", "the request could not be read");
    }
  }
}
