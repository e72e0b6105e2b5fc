package dev.waterfall.coordinator.api;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The browser pages, from the waterfall-web-player jar (classpath {@code web/}): {@code /watch/<stream>} is the
 * player, {@code /dashboard/<stream>} the live picture of the tree and {@code /publish/<stream>} the camera or screen
 * publisher of a realtime stream (one page each for every stream: its script
 * reads the name from the path, so nothing user-supplied is written into HTML); {@code /web/*} their scripts and
 * styles.
 */
final class WebPages {
  /** hls.js is pinned by package-lock.json and only changes with a release of Waterfall: cache it a day. */
  private static final long VENDOR_MAX_AGE_S = 24 * 3600;
  /** Our own files have no content hash in their names: a short max-age so a deploy shows within a minute. */
  private static final long OWN_MAX_AGE_S = 60;

  private WebPages() {
  }

  static void mount(Router router) {
    router.get("/watch/:stream").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/html; charset=utf-8")
        // Always revalidated, so a page never references scripts older or newer than itself for long.
        .putHeader("Cache-Control", "no-cache")
        .putHeader("X-Content-Type-Options", "nosniff")
        .sendFile("web/watch.html"));
    router.get("/dashboard/:stream").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Cache-Control", "no-cache")
        .putHeader("X-Content-Type-Options", "nosniff")
        .sendFile("web/dashboard.html"));
    // The publish key stays in the page (typed, or in the URL fragment): nothing secret reaches this route.
    router.get("/publish/:stream").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Cache-Control", "no-cache")
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer")
        .sendFile("web/publish.html"));
    router.get("/web/vendor/*").handler(StaticHandler.create("web/vendor").setMaxAgeSeconds(VENDOR_MAX_AGE_S));
    router.get("/web/*").handler(StaticHandler.create("web").setMaxAgeSeconds(OWN_MAX_AGE_S)
        .setDirectoryListing(false));
  }
}
