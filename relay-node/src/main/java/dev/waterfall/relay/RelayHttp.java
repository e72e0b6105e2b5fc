package dev.waterfall.relay;

import dev.waterfall.protocol.tls.CertificateReloader;
import dev.waterfall.protocol.tls.PemKeyPair;
import dev.waterfall.relay.http.HlsServer;
import dev.waterfall.relay.store.SegmentStore;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A relay's HTTP server: /hls/ (none for a realtime relay), /metrics, /health and whatever else it
 * mounts (WHIP, /ll/), over HTTPS when it has a certificate (renewed without a restart); and the
 * URL it announces for it.
 */
final class RelayHttp {
  private static final Logger LOG = LoggerFactory.getLogger(RelayHttp.class);

  /** How often a relay serving HTTPS checks its certificate files for a renewal. */
  static final Duration TLS_RELOAD_CHECK = Duration.ofSeconds(60);

  private RelayHttp() {}

  /**
   * The URL this relay announces as a fallback: {@code --public-url} if given (what browsers on the
   * internet can reach, e.g. https behind a proxy), else http(s)://host:port, which the coordinator
   * hands only to pages that can reach such an address (a private or loopback one: the LAN or this
   * machine) and to relays.
   */
  static String advertised(Relay.Options o, HttpServer http, PemKeyPair certificate) {
    if (http == null) {
      return null;
    }
    String host =
        o.httpHost().contains(":") && !o.httpHost().startsWith("[")
            ? "[" + o.httpHost() + "]"
            : o.httpHost();
    return o.publicUrl() != null
        ? o.publicUrl()
        : (certificate != null ? "https://" : "http://") + host + ":" + http.actualPort();
  }

  /** Presents a renewed certificate without a restart (null without HTTPS). */
  static CertificateReloader watch(Vertx vertx, HttpServer http, PemKeyPair certificate) {
    if (http == null || certificate == null) {
      return null;
    }
    LOG.info("HTTPS: presenting {}", certificate.describe());
    return CertificateReloader.watch(
        vertx,
        http,
        certificate,
        TLS_RELOAD_CHECK,
        new CertificateReloader.Listener() {
          @Override
          public void reloaded(PemKeyPair now) {
            LOG.info("TLS certificate renewed: new connections get {}", now.describe());
          }

          @Override
          public void refused(String problem) {
            LOG.warn("TLS certificate files changed but cannot be used yet: {}", problem);
          }
        });
  }

  static HttpServer serve(
      Vertx vertx,
      Relay.Options o,
      PemKeyPair certificate,
      HlsServer hls,
      SegmentStore store,
      PrometheusMeterRegistry metrics,
      Consumer<Router> extraRoutes)
      throws Exception {
    Router router = Router.router(vertx);
    if (hls != null) {
      hls.mount(router); // a WHIP origin has no segments: no /hls/
    }
    router
        .get("/metrics")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                    .end(metrics.scrape()));
    router
        .get("/health")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("Content-Type", "application/json")
                    .end(
                        new JsonObject()
                            .put("status", "up")
                            .put("stream", o.stream())
                            .put("segments", store == null ? 0 : store.size())
                            .encode()));
    extraRoutes.accept(router);
    router
        .route()
        .failureHandler(
            ctx ->
                ctx.response().setStatusCode(ctx.statusCode() > 0 ? ctx.statusCode() : 500).end());
    // HTTP/1.1 only: browsers never speak cleartext HTTP/2, and h2c upgrades of large responses
    // broke Java clients.
    var options = new io.vertx.core.http.HttpServerOptions().setHttp2ClearTextEnabled(false);
    if (certificate != null) {
      // no ALPN: HTTP/1.1 over TLS too
      options.setSsl(true).setKeyCertOptions(certificate.keyCertOptions());
    }
    return Relay.await(
        vertx.createHttpServer(options).requestHandler(router).listen(o.httpPort(), o.httpHost()));
  }
}
