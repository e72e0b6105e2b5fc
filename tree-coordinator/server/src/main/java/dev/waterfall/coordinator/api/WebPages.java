package dev.waterfall.coordinator.api;

import dev.waterfall.protocol.http.Cors;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.Map;

/**
 * The browser pages, from the waterfall-web-player jar (classpath {@code web/}): {@code
 * /watch/<stream>} is the player, {@code /dashboard/<stream>} the live picture of the tree and
 * {@code /publish/<stream>} the camera or screen publisher of a realtime stream, {@code
 * /embed/<stream>} the player alone for an iframe on another site (one page each for every stream:
 * its script reads the name from the path, so nothing user-supplied is written into HTML); {@code
 * /web/*} their scripts and styles.
 */
final class WebPages {
  /**
   * hls.js is pinned by package-lock.json and only changes with a release of Waterfall: cache it a
   * day.
   */
  private static final long VENDOR_MAX_AGE_S = 24 * 3600;

  /**
   * Our own files have no content hash in their names: a short max-age so a deploy shows within a
   * minute.
   */
  private static final long OWN_MAX_AGE_S = 60;

  /**
   * No other site may frame these pages (clickjacking, e.g. on the publisher's key): /embed is for
   * framing.
   */
  private static final String SAME_ORIGIN_FRAMES = "frame-ancestors 'self'";

  private WebPages() {}

  static void mount(Router router) {
    page(
        router,
        "/watch/:stream",
        "web/watch.html",
        Map.of("Content-Security-Policy", SAME_ORIGIN_FRAMES));
    page(
        router,
        "/dashboard/:stream",
        "web/dashboard.html",
        Map.of("Content-Security-Policy", SAME_ORIGIN_FRAMES));
    // The publish key stays in the page (typed, or in the URL fragment): nothing secret reaches
    // this route.
    page(
        router,
        "/publish/:stream",
        "web/publish.html",
        Map.of("Content-Security-Policy", SAME_ORIGIN_FRAMES, "Referrer-Policy", "no-referrer"));
    // The player alone, for an <iframe> on any site (the pages above may only be framed by their
    // own origin).
    page(router, "/embed/:stream", "web/embed.html", Map.of());
    // Scripts a site may load from here: waterfall-p2p.js and its modules (module scripts need
    // CORS), hls.js.
    router
        .get("/web/*")
        .handler(
            ctx -> {
              Cors.allow(ctx.response());
              ctx.next();
            });
    router
        .get("/web/vendor/*")
        .handler(StaticHandler.create("web/vendor").setMaxAgeSeconds(VENDOR_MAX_AGE_S));
    router
        .get("/web/*")
        .handler(
            StaticHandler.create("web").setMaxAgeSeconds(OWN_MAX_AGE_S).setDirectoryListing(false));
  }

  /**
   * One page for every stream: the same file whatever the name in the path (the page's script reads
   * it).
   */
  private static void page(Router router, String path, String file, Map<String, String> headers) {
    router
        .get(path)
        .handler(
            ctx -> {
              ctx.response()
                  .putHeader("Content-Type", "text/html; charset=utf-8")
                  // Always revalidated, so a page never references scripts older or newer than
                  // itself for long.
                  .putHeader("Cache-Control", "no-cache")
                  .putHeader("X-Content-Type-Options", "nosniff");
              headers.forEach(ctx.response()::putHeader);
              ctx.response().sendFile(file);
            });
  }
}
