package dev.waterfall.coordinator;

import com.hazelcast.core.HazelcastInstance;
import dev.waterfall.coordinator.api.RestApi;
import dev.waterfall.coordinator.cluster.CoordinatorDirectory;
import dev.waterfall.coordinator.cluster.HazelcastSetup;
import dev.waterfall.coordinator.cluster.TreeStore;
import dev.waterfall.coordinator.config.CoordinatorConfig;
import dev.waterfall.coordinator.dashboard.DashboardFeed;
import dev.waterfall.coordinator.dashboard.Incidents;
import dev.waterfall.coordinator.metrics.CoordinatorMetrics;
import dev.waterfall.coordinator.signalling.ClientAddresses;
import dev.waterfall.coordinator.signalling.MemberWatcher;
import dev.waterfall.coordinator.signalling.SignallingServer;
import dev.waterfall.coordinator.streams.Credentials;
import dev.waterfall.coordinator.streams.Fallbacks;
import dev.waterfall.coordinator.streams.StreamCatalog;
import dev.waterfall.coordinator.streams.StreamRegistry;
import dev.waterfall.coordinator.streams.ViewerTokens;
import dev.waterfall.protocol.tls.CertificateReloader;
import dev.waterfall.protocol.tls.PemKeyPair;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One coordinator process, wired by hand in one place: the Hazelcast member, the clustered Vert.x
 * on top of it, and a verticle holding the HTTP server (REST, {@code /ws}, metrics). Stop runs in
 * reverse order.
 */
public final class Coordinator {
  private static final Logger LOG = LoggerFactory.getLogger(Coordinator.class);
  private final HazelcastInstance hz;
  private final Vertx vertx;
  private final Node node;
  private final String adminToken;

  private Coordinator(HazelcastInstance hz, Vertx vertx, Node node, String adminToken) {
    this.hz = hz;
    this.vertx = vertx;
    this.node = node;
    this.adminToken = adminToken;
  }

  /** Starts everything and blocks until the HTTP port is bound. */
  public static Coordinator start(CoordinatorConfig config, Clock clock) throws Exception {
    HazelcastInstance hz = HazelcastSetup.start(config.cluster());
    Vertx vertx = null;
    try {
      VertxOptions options =
          new VertxOptions()
              .setEventBusOptions(
                  new EventBusOptions().setHost(config.cluster().networkInterface()).setPort(0));
      vertx =
          await(
              Vertx.builder()
                  .with(options)
                  .withClusterManager(new HazelcastClusterManager(hz))
                  .buildClustered());
      String token =
          config.http().adminToken().isEmpty()
              ? Credentials.newSecret()
              : config.http().adminToken();
      CoordinatorDirectory directory = new CoordinatorDirectory(hz);
      // Read here, off the event loop; checked once already by the config, read again in case it
      // changed since.
      PemKeyPair certificate = config.http().tls().enabled() ? config.http().tls().load() : null;
      Node node = new Node(config, hz, directory, token, clock, certificate);
      await(vertx.deployVerticle(node));
      // Once the port is bound: from now on every welcome in the cluster lists this coordinator
      // too.
      directory.register(
          config.http().publicUrl(node.server.actualPort(), config.cluster().networkInterface()));
      return new Coordinator(hz, vertx, node, token);
    } catch (Exception e) {
      if (vertx != null) {
        vertx.close();
      }
      hz.shutdown();
      throw e;
    }
  }

  public int port() {
    return node.server.actualPort();
  }

  /**
   * Checks the TLS files now rather than at the next timer tick: true when a renewed certificate is
   * presented from now on (false without TLS, or when the files did not change or cannot be used).
   */
  public boolean checkCertificate() throws Exception {
    if (node.reloader == null) {
      return false;
    }
    Promise<Boolean> p = Promise.promise();
    node.context.runOnContext(v -> node.reloader.checkNow().onComplete(p));
    return await(p.future());
  }

  public String adminToken() {
    return adminToken;
  }

  /** The cluster's coordinators' public URLs, as welcomes list them. */
  public java.util.List<String> coordinatorUrls() {
    return node.directory.urls();
  }

  public String memberId() {
    return hz.getCluster().getLocalMember().getUuid().toString();
  }

  public HazelcastInstance hazelcast() {
    return hz;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** Create a stream from inside the process (the demo does this). */
  public StreamCatalog.Created createStream(StreamCatalog.Spec spec) throws Exception {
    Promise<StreamCatalog.Created> p = Promise.promise();
    node.context.runOnContext(v -> node.catalog.create(spec).onComplete(p));
    return await(p.future());
  }

  /** Issue a booster token from inside the process (the demo's booster uses one). */
  public String issueBoosterToken() throws Exception {
    Promise<String> p = Promise.promise();
    node.context.runOnContext(v -> node.catalog.registry().newBoosterToken().onComplete(p));
    return await(p.future());
  }

  public void stop() {
    try {
      node.stopping = true;
      await(vertx.close());
    } catch (Exception e) {
      LOG.warn("error while stopping Vert.x: {}", e.toString());
    }
    hz.shutdown();
  }

  static <T> T await(Future<T> f) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception ex ? ex : e;
    }
  }

  /** The verticle: everything that runs on the event loop. */
  private static final class Node extends VerticleBase {
    private final CoordinatorConfig config;
    private final HazelcastInstance hz;
    private final CoordinatorDirectory directory;
    private final String adminToken;
    private final Clock clock;
    private final PemKeyPair certificate;
    volatile boolean stopping;
    CertificateReloader reloader;
    Context context;
    StreamCatalog catalog;
    HttpServer server;
    SignallingServer signalling;
    DashboardFeed dashboard;

    Node(
        CoordinatorConfig config,
        HazelcastInstance hz,
        CoordinatorDirectory directory,
        String adminToken,
        Clock clock,
        PemKeyPair certificate) {
      this.certificate = certificate;
      this.config = config;
      this.hz = hz;
      this.directory = directory;
      this.adminToken = adminToken;
      this.clock = clock;
    }

    @Override
    public Future<?> start() {
      context = vertx.getOrCreateContext();
      return vertx
          .executeBlocking(this::clusterSecret, false)
          .compose(
              secret -> {
                String self = hz.getCluster().getLocalMember().getUuid().toString();
                TreeStore trees = new TreeStore(hz, context, config.tree().repairStrategy());
                StreamRegistry registry = new StreamRegistry(hz, context);
                Fallbacks fallbacks = new Fallbacks(hz, context);
                catalog =
                    new StreamCatalog(
                        registry, trees, fallbacks, config.tree(), vertx.eventBus(), clock);
                CoordinatorMetrics metrics =
                    new CoordinatorMetrics(() -> signalling == null ? 0 : signalling.sessions());
                Incidents incidents = new Incidents();
                vertx
                    .eventBus()
                    .<String>consumer(
                        StreamCatalog.STREAM_DELETED, m -> incidents.forget(m.body()));
                signalling =
                    new SignallingServer(
                        vertx,
                        config,
                        registry,
                        fallbacks,
                        trees,
                        self,
                        secret,
                        metrics,
                        incidents,
                        clock,
                        () -> stopping,
                        directory::urls);
                hz.getCluster()
                    .addMembershipListener(
                        new MemberWatcher(
                            hz,
                            context,
                            trees,
                            fallbacks,
                            signalling,
                            metrics,
                            incidents,
                            config.liveness().resumeGraceMs()));
                dashboard =
                    new DashboardFeed(
                        vertx,
                        trees,
                        () ->
                            hz.getCluster().getMembers().stream()
                                .map(m -> m.getUuid().toString())
                                .toList(),
                        self,
                        signalling::localNodes,
                        incidents,
                        clock);

                Router router = Router.router(vertx);
                router
                    .route("/ws")
                    .handler(
                        ctx ->
                            ctx.request()
                                .toWebSocket()
                                .onSuccess(signalling::handle)
                                .onFailure(
                                    e ->
                                        ctx.response()
                                            .setStatusCode(400)
                                            .end("WebSocket upgrade expected")));
                new RestApi(
                        catalog,
                        trees,
                        dashboard,
                        metrics,
                        adminToken,
                        this::health,
                        new ViewerTokens(secret),
                        clock,
                        directory,
                        new ClientAddresses(
                            config.http().trustedProxies(), config.http().redactAddresses()))
                    .mount(vertx, router);

                int cap = config.signalling().maxMessageBytes();
                // The socket's hard cap is above the signalling limit, so a too-large message earns
                // an error, not a cut.
                HttpServerOptions options =
                    new HttpServerOptions()
                        .setHost(config.http().host())
                        .setPort(config.http().port())
                        .setMaxWebSocketFrameSize(cap * 4)
                        .setMaxWebSocketMessageSize(cap * 4)
                        .setIdleTimeout(0)
                        // browsers never use h2c; a proxy terminates TLS and HTTP/2
                        .setHttp2ClearTextEnabled(false);
                if (certificate != null) {
                  // HTTP/1.1 over TLS (no ALPN, so no HTTP/2): /ws is an HTTP/1.1 upgrade either
                  // way.
                  options.setSsl(true).setKeyCertOptions(certificate.keyCertOptions());
                }
                return vertx
                    .createHttpServer(options)
                    .requestHandler(router)
                    .listen()
                    .onSuccess(
                        s -> {
                          server = s;
                          if (certificate != null) {
                            LOG.info("TLS: presenting {}", certificate.describe());
                            reloader =
                                CertificateReloader.watch(
                                    vertx,
                                    s,
                                    certificate,
                                    Duration.ofSeconds(config.http().tls().reloadCheckSeconds()),
                                    new CertificateLog());
                          }
                        });
              });
    }

    private byte[] clusterSecret() {
      var secrets = hz.<String, byte[]>getMap("waterfall.secrets");
      byte[] fresh = Credentials.newSecret().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      byte[] existing = secrets.putIfAbsent("resume", fresh);
      return existing == null ? fresh : existing;
    }

    private JsonObject health() {
      return new JsonObject()
          .put("status", "up")
          .put("member", hz.getCluster().getLocalMember().getUuid().toString())
          .put("clusterSize", hz.getCluster().getMembers().size())
          .put("sessions", signalling == null ? 0 : signalling.sessions())
          .put("coordinators", new io.vertx.core.json.JsonArray(directory.urls()));
    }

    /**
     * Stops taking sockets, tells each connected node to resume elsewhere (close 1012), then closes
     * the server.
     */
    @Override
    public Future<?> stop() {
      stopping = true;
      if (reloader != null) {
        reloader.stop();
      }
      signalling.stop();
      dashboard.stop();
      Future<Void> drained = signalling.drain().timeout(3, TimeUnit.SECONDS).otherwiseEmpty();
      return drained.transform(x -> server == null ? Future.succeededFuture() : server.close());
    }
  }

  /** What the certificate reloader found, in the coordinator's log. */
  private static final class CertificateLog implements CertificateReloader.Listener {
    @Override
    public void reloaded(PemKeyPair now) {
      LOG.info("TLS certificate renewed: new connections get {}", now.describe());
    }

    @Override
    public void refused(String problem) {
      LOG.warn("TLS certificate files changed but cannot be used yet: {}", problem);
    }
  }
}
