package dev.waterfall.relay;

import dev.waterfall.protocol.Message;
import dev.waterfall.protocol.tls.CertificateReloader;
import dev.waterfall.protocol.tls.ExtraTrust;
import dev.waterfall.protocol.tls.PemKeyPair;
import dev.waterfall.relay.http.HlsServer;
import dev.waterfall.relay.key.PublishKey;
import dev.waterfall.relay.llhls.LlHlsOrigin;
import dev.waterfall.relay.llhls.LlHlsServer;
import dev.waterfall.relay.llhls.LlSettings;
import dev.waterfall.relay.llhls.PartLedger;
import dev.waterfall.relay.llhls.PartStore;
import dev.waterfall.relay.llhls.PartVerifier;
import dev.waterfall.relay.node.NodeSettings;
import dev.waterfall.relay.node.RelayNode;
import dev.waterfall.relay.peer.PeerFactory;
import dev.waterfall.relay.segment.SegmentSigner;
import dev.waterfall.relay.segment.SegmentVerifier;
import dev.waterfall.relay.source.SegmentSource;
import dev.waterfall.relay.store.SegmentStore;
import dev.waterfall.relay.whip.WhipEndpoint;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.TrustOptions;
import io.vertx.ext.web.Router;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running relay: its segment store, its HTTP server ({@code /hls/…}, {@code /metrics}, {@code
 * /health}), the node in the tree, and for the origin the pump feeding it segments. Wired here by
 * hand; stopped in reverse order.
 */
public final class Relay implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Relay.class);

  /**
   * Which coordinators and stream, the credential, where to serve HTTP (port -1: nowhere, 0: any
   * free), the URL to announce for it (null: derived from host and port), and TLS.
   */
  public record Options(
      List<String> coordinators,
      String stream,
      String key,
      String httpHost,
      int httpPort,
      String publicUrl,
      Tls tls,
      RelayConfig config) {
    public Options(
        List<String> coordinators,
        String stream,
        String key,
        String httpHost,
        int httpPort,
        String publicUrl) {
      this(coordinators, stream, key, httpHost, httpPort, publicUrl, Tls.NONE);
    }

    public Options(
        List<String> coordinators,
        String stream,
        String key,
        String httpHost,
        int httpPort,
        String publicUrl,
        Tls tls) {
      this(coordinators, stream, key, httpHost, httpPort, publicUrl, tls, RelayConfig.defaults());
    }
  }

  /**
   * HTTPS for this relay's own server (a PEM certificate chain and its key; both null: plain HTTP),
   * and a PEM CA to trust, beside the JVM's, when connecting to an https or wss coordinator or
   * fallback relay (null: none).
   */
  public record Tls(Path certPath, Path keyPath, Path trustPem) {
    public static final Tls NONE = new Tls(null, null, null);

    public Tls {
      if ((certPath == null) != (keyPath == null)) {
        throw new IllegalArgumentException(
            "--tls-cert and --tls-key go together: give both to serve HTTPS, or"
                + " neither for plain HTTP");
      }
    }

    public boolean serves() {
      return certPath != null;
    }

    /** The certificate to serve HTTPS with, loaded now; null for plain HTTP. */
    PemKeyPair certificate() {
      return serves() ? PemKeyPair.load(certPath, keyPath) : null;
    }
  }

  private final RelayNode node;
  private final HttpServer http;
  private final SourcePump pump;
  private final CertificateReloader reloader;

  /** A WHIP origin's endpoint (null otherwise). */
  private WhipEndpoint whip;

  /** Booster: the LL-HLS parts it verified (null on an origin, whose LlHlsOrigin holds them). */
  private PartLedger parts;

  private Relay(
      RelayNode node, HttpServer http, SegmentSource source, CertificateReloader reloader) {
    this.node = node;
    this.http = http;
    this.reloader = reloader;
    this.pump = source == null ? null : new SourcePump(source, node::publish);
  }

  /** The origin: the root of the stream's tree, signing what {@code source} produces. */
  public static Relay startOrigin(
      Vertx vertx,
      PeerFactory peers,
      Options o,
      SegmentSigner signer,
      SegmentSource source,
      Consumer<Router> extraRoutes)
      throws Exception {
    return startOrigin(vertx, peers, o, signer, source, extraRoutes, null);
  }

  /**
   * The same, announcing where its encoder reaches it ({@code ingest}, null: nothing) for the
   * admin's dashboard.
   */
  public static Relay startOrigin(
      Vertx vertx,
      PeerFactory peers,
      Options o,
      SegmentSigner signer,
      SegmentSource source,
      Consumer<Router> extraRoutes,
      Message.Ingest ingest)
      throws Exception {
    return startOrigin(vertx, peers, o, signer, source, extraRoutes, ingest, null, null);
  }

  /**
   * The same; {@code key}: what this origin's own ingest checks (HTTP PUT, RTMP), kept in step with
   * the coordinator's rotations (null: its ingest checks no publish key); {@code ll}: the LL-HLS
   * parts this origin also puts into the tree (signed with {@code signer}, which must be {@code
   * ll}'s key) and serves under /ll/ (null: classic HLS only).
   */
  public static Relay startOrigin(
      Vertx vertx,
      PeerFactory peers,
      Options o,
      SegmentSigner signer,
      SegmentSource source,
      Consumer<Router> extraRoutes,
      Message.Ingest ingest,
      PublishKey key,
      LlHlsOrigin ll)
      throws Exception {
    if (ll != null && !ll.key().publicKeyBase64().equals(signer.publicKeyBase64())) {
      throw new IllegalArgumentException("the LL-HLS parts must be signed with the stream's key");
    }
    if (ll != null) {
      extraRoutes = extraRoutes.andThen(ll::mount);
    }
    TrustOptions trust = ExtraTrust.withPem(o.tls().trustPem());
    PemKeyPair certificate = o.tls().certificate();
    SegmentStore store = new SegmentStore(signer.verifier(), o.config().store(), Clock.systemUTC());
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    HlsServer hls = new HlsServer(o.stream(), store);
    HttpServer http =
        o.httpPort() < 0
            ? null
            : RelayHttp.serve(vertx, o, certificate, hls, store, metrics, extraRoutes);
    CertificateReloader reloader = RelayHttp.watch(vertx, http, certificate);
    RelayNode node =
        new RelayNode(
            vertx,
            NodeSettings.origin(
                    o.coordinators(),
                    o.stream(),
                    o.key(),
                    RelayHttp.advertised(o, http, certificate))
                .withConfig(o.config())
                .withTrust(trust)
                .withIngest(ingest),
            peers,
            store,
            Clock.systemUTC());
    node.countHttpServed(
        ll == null ? hls::bytesServed : () -> hls.bytesServed() + ll.server().bytesServed());
    node.bindMetrics(metrics);
    node.useSigner(signer);
    if (key != null) {
      node.followKey(key);
    }
    if (ll != null) {
      node.carryParts(ll);
    }
    Relay relay = new Relay(node, http, source, reloader);
    try {
      await(node.start());
    } catch (Exception e) {
      relay.close(); // refused at the welcome: nothing left listening
      throw e;
    }
    relay.pump.start();
    return relay;
  }

  /**
   * The origin of a realtime stream fed over WHIP (OBS): its HTTP server takes {@code POST
   * /whip/<stream>} and the publisher's tracks become the root's (docs/architecture.md "Realtime
   * mode"). It joins with the key alone and announces no HTTP fallback (a realtime tree has no
   * segments to fetch); the HTTP server serves WHIP, /metrics and /health.
   */
  public static Relay startWhipOrigin(Vertx vertx, PeerFactory peers, Options o) throws Exception {
    return startWhipOrigin(vertx, peers, o, null);
  }

  /**
   * As above; {@code ingest}: where an encoder reaches this origin (the admin's dashboard shows
   * it), or null.
   */
  public static Relay startWhipOrigin(
      Vertx vertx, PeerFactory peers, Options o, Message.Ingest ingest) throws Exception {
    if (o.httpPort() < 0) {
      throw new IllegalArgumentException("WHIP needs an HTTP port");
    }
    TrustOptions trust = ExtraTrust.withPem(o.tls().trustPem());
    PemKeyPair certificate = o.tls().certificate();
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    RelayNode node = // no segment store: nothing is signed in a realtime stream
        new RelayNode(
            vertx,
            NodeSettings.origin(o.coordinators(), o.stream(), o.key(), null)
                .withConfig(o.config())
                .withTrust(trust)
                .withIngest(ingest),
            peers,
            null,
            Clock.systemUTC());
    PublishKey key = new PublishKey(o.key());
    node.followKey(key);
    WhipEndpoint whip =
        new WhipEndpoint(o.stream(), key, peers, node.realtimeRoot(), node.context());
    HttpServer http = RelayHttp.serve(vertx, o, certificate, null, null, metrics, whip::mount);
    CertificateReloader reloader = RelayHttp.watch(vertx, http, certificate);
    node.bindMetrics(metrics);
    Relay relay = new Relay(node, http, null, reloader);
    relay.whip = whip;
    try {
      await(node.start());
    } catch (Exception e) {
      relay.close();
      throw e;
    }
    return relay;
  }

  /**
   * A booster: learns the origin's key from the coordinator, then joins the tree and relays. In a
   * realtime stream there is no key to wait for: the node forwards media tracks (TrackRelay) and
   * has no segment store, /hls/ or /ll/.
   */
  public static Relay startBooster(Vertx vertx, PeerFactory peers, Options o) throws Exception {
    return startBooster(vertx, peers, o, null);
  }

  /**
   * As above, taking at most {@code maxChildren} children (its operator's {@code --max-children};
   * null: as many as the stream allows).
   */
  public static Relay startBooster(Vertx vertx, PeerFactory peers, Options o, Integer maxChildren)
      throws Exception {
    TrustOptions trust = ExtraTrust.withPem(o.tls().trustPem());
    PemKeyPair certificate = o.tls().certificate();
    String publicKey = StreamKey.await(vertx, o, trust);
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    SegmentStore store = null;
    HlsServer hls = null;
    PartLedger parts = null;
    LlHlsServer ll = null;
    if (publicKey != null) {
      SegmentVerifier verifier = new SegmentVerifier(publicKey, o.stream());
      store = new SegmentStore(verifier, o.config().store(), Clock.systemUTC());
      hls = new HlsServer(o.stream(), store);
      // LL-HLS parts as the tree brings them (none in a stream without): verified, served at /ll/.
      parts = new PartLedger(new PartVerifier(verifier, o.stream()), new PartStore(0, 0));
      ll = new LlHlsServer(o.stream(), parts.store(), LlSettings.DEFAULT).withSignedFrames(parts);
    }
    Consumer<Router> routes = ll == null ? router -> {} : ll::mount;
    HttpServer http =
        o.httpPort() < 0
            ? null
            : RelayHttp.serve(vertx, o, certificate, hls, store, metrics, routes);
    CertificateReloader reloader = RelayHttp.watch(vertx, http, certificate);
    RelayNode node =
        new RelayNode(
            vertx,
            NodeSettings.booster(
                    o.coordinators(),
                    o.stream(),
                    o.key(),
                    RelayHttp.advertised(o, http, certificate))
                .withConfig(o.config())
                .withTrust(trust)
                .withMaxChildren(maxChildren),
            peers,
            store,
            Clock.systemUTC());
    if (hls != null) {
      HlsServer servedHls = hls;
      LlHlsServer servedLl = ll;
      node.countHttpServed(() -> servedHls.bytesServed() + servedLl.bytesServed());
      node.carryParts(parts);
    }
    node.bindMetrics(metrics);
    await(node.start());
    Relay relay = new Relay(node, http, null, reloader);
    relay.parts = parts;
    return relay;
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  public RelayNode node() {
    return node;
  }

  /** Booster: the LL-HLS parts verified from the tree (null on an origin). */
  public PartLedger parts() {
    return parts;
  }

  public SegmentStore store() {
    return node.store();
  }

  /** A WHIP origin's endpoint, null for other relays. */
  public WhipEndpoint whip() {
    return whip;
  }

  /** The port of the HTTP server, or -1 when it serves none. */
  public int httpPort() {
    return http == null ? -1 : http.actualPort();
  }

  /**
   * The certificate this relay's HTTPS presents to new connections now (renewals included), or null
   * without TLS.
   */
  public PemKeyPair certificate() {
    return reloader == null ? null : reloader.current();
  }

  /**
   * Hands the children over (the node asks for 0 slots) and completes when they are gone or after
   * the timeout.
   */
  public Future<Void> drain(long timeoutMs) {
    return node.drain(timeoutMs);
  }

  /**
   * Graceful: the node leaves the tree (its children are re-attached), then sources and servers
   * stop.
   */
  @Override
  public void close() {
    if (pump != null) {
      pump.stopping();
    }
    if (whip != null) {
      // queued on the node's context before its stop: sessions end, then the node leaves
      whip.close();
    }
    try {
      await(node.stop());
    } catch (Exception e) {
      LOG.debug("stopping the node: {}", e.toString());
    }
    if (pump != null) {
      pump.close();
    }
    if (reloader != null) {
      reloader.stop();
    }
    if (http != null) {
      http.close();
    }
  }
}
