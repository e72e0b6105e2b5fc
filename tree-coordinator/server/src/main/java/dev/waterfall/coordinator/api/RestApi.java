package dev.waterfall.coordinator.api;

import dev.waterfall.coordinator.cluster.CoordinatorDirectory;
import dev.waterfall.coordinator.cluster.TreeStore;
import dev.waterfall.coordinator.dashboard.DashboardFeed;
import dev.waterfall.coordinator.metrics.CoordinatorMetrics;
import dev.waterfall.coordinator.signalling.ClientAddresses;
import dev.waterfall.coordinator.streams.StreamCatalog;
import dev.waterfall.coordinator.streams.ViewerTokens;
import dev.waterfall.protocol.RestError;
import dev.waterfall.protocol.http.Cors;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST API: streams, booster tokens, tree views, health and metrics. Routes and failures here;
 * each feature's calls in its own class.
 */
public final class RestApi {
  private static final Logger LOG = LoggerFactory.getLogger(RestApi.class);
  private final CoordinatorMetrics metrics;
  private final AdminAuth admin;
  private final Supplier<JsonObject> health;
  private final StreamCalls streams;
  private final TreeCalls trees;
  private final FallbackCalls fallbacks;
  private final TokenCalls tokens;

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
    this.metrics = metrics;
    this.admin = new AdminAuth(adminToken);
    this.health = health;
    StreamLookup lookup = new StreamLookup(catalog, admin);
    this.streams = new StreamCalls(catalog, metrics, admin, lookup);
    this.trees = new TreeCalls(trees, directory, dashboard, lookup);
    this.fallbacks = new FallbackCalls(catalog, admin, viewerTokens, clock, addresses, lookup);
    this.tokens = new TokenCalls(catalog, viewerTokens, clock, lookup);
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
    router.get("/api/streams/:name/tree").handler(trees::tree);
    router.get("/api/streams/:name/fallbacks").handler(fallbacks::fallbacks);
    router.get("/api/streams/:name/dashboard").handler(trees::dashboard);
    router.get("/api/streams/:name").handler(streams::stream);
    router.post("/api/streams").handler(admin).handler(streams::createStream);
    router.get("/api/streams").handler(admin).handler(streams::listStreams);
    router.delete("/api/streams/:name").handler(admin).handler(streams::deleteStream);
    router.post("/api/streams/:name/viewer-tokens").handler(admin).handler(tokens::newViewerToken);
    router.post("/api/streams/:name/key").handler(admin).handler(streams::rotateKey);
    router.post("/api/booster-tokens").handler(admin).handler(tokens::newBoosterToken);
    router.delete("/api/booster-tokens/:token").handler(admin).handler(tokens::revokeBoosterToken);
    router
        .route("/api/*")
        .last()
        .handler(ctx -> Json.error(ctx, 404, RestError.NOT_FOUND, "no such API call"));
    router.route().failureHandler(this::failure);
  }

  private void failure(RoutingContext ctx) {
    int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
    if (status == 500) {
      // The route's pattern, not the path: a path can carry a credential (DELETE
      // /api/booster-tokens/<token>).
      String route = ctx.currentRoute() == null ? "?" : ctx.currentRoute().getPath();
      LOG.warn("REST {} {} failed", ctx.request().method(), route, ctx.failure());
      Json.error(
          ctx, 500, RestError.INTERNAL, "the coordinator could not complete this call; try again");
    } else if (status == 413) {
      Json.error(ctx, 413, RestError.TOO_LARGE, "request body too large");
    } else {
      Json.error(ctx, status, RestError.BAD_REQUEST, "the request could not be read");
    }
  }
}
