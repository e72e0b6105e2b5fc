package dev.waterfall.coordinator.signalling;

import dev.waterfall.coordinator.cluster.TreeStore;
import dev.waterfall.coordinator.config.CoordinatorConfig;
import dev.waterfall.coordinator.dashboard.Incidents;
import dev.waterfall.coordinator.dashboard.LocalNode;
import dev.waterfall.coordinator.metrics.CoordinatorMetrics;
import dev.waterfall.coordinator.streams.Fallbacks;
import dev.waterfall.coordinator.streams.StreamRegistry;
import dev.waterfall.protocol.ErrorCode;
import dev.waterfall.protocol.Message;
import dev.waterfall.protocol.MessageCodec;
import dev.waterfall.protocol.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /ws}: one session per socket. Checks size and rate before parsing, answers every bad
 * message with {@code error}, and turns a closed or silent socket into a departure from the tree.
 */
public final class SignallingServer {
  private static final Logger LOG = LoggerFactory.getLogger(SignallingServer.class);
  static final short POLICY_VIOLATION = 1008;

  /**
   * RFC 6455 "Service Restart": this coordinator is going away; resume on another with the resume
   * token.
   */
  public static final short SERVICE_RESTART = 1012;

  public static final String RESUME_ELSEWHERE = "resume-elsewhere";

  private final Vertx vertx;
  private final CoordinatorConfig config;
  private final TreeStore trees;
  private final Switchboard switchboard;
  private final CoordinatorMetrics metrics;
  private final Clock clock;
  private final Admission admission;
  private final Departures departures;
  private final AddressLimits limits;
  private final ClientAddresses addresses;
  private final Silence silence;
  private final NodeReports reports;
  private final List<Session> pending = new ArrayList<>();
  private final java.util.function.BooleanSupplier stopping;
  private long livenessTimer;

  public SignallingServer(
      Vertx vertx,
      CoordinatorConfig config,
      StreamRegistry streams,
      Fallbacks fallbacks,
      TreeStore trees,
      String self,
      byte[] clusterSecret,
      CoordinatorMetrics metrics,
      Incidents incidents,
      Clock clock,
      java.util.function.BooleanSupplier stopping,
      java.util.function.Supplier<List<String>> coordinators) {
    this.stopping = stopping;
    this.vertx = vertx;
    this.config = config;
    this.trees = trees;
    this.metrics = metrics;
    this.clock = clock;
    this.switchboard = new Switchboard(vertx.eventBus(), self);
    this.departures = new Departures(trees, fallbacks, switchboard, metrics, incidents, clock);
    var sc = config.signalling();
    this.limits =
        new AddressLimits(sc.maxSocketsPerIp(), sc.joinsPerIpPerSecond(), sc.joinBurstPerIp());
    this.silence =
        new Silence(config.liveness().silenceLimitMs(), config.liveness().missedHeartbeats());
    this.addresses =
        new ClientAddresses(config.http().trustedProxies(), config.http().redactAddresses());
    NodeIceServers iceServers = new NodeIceServers(config);
    this.admission =
        new Admission(
            config,
            streams,
            fallbacks,
            trees,
            switchboard,
            metrics,
            clusterSecret,
            clock,
            departures,
            coordinators,
            iceServers);
    this.reports =
        new NodeReports(
            config, trees, switchboard, metrics, incidents, admission, iceServers, clock);
    new CatalogNotices(switchboard, metrics).listen(vertx.eventBus());
    this.livenessTimer =
        vertx.setPeriodic(config.liveness().heartbeatIntervalMs(), t -> checkLiveness());
  }

  public int sessions() {
    return switchboard.size();
  }

  public Switchboard switchboard() {
    return switchboard;
  }

  /** The joined nodes of a stream whose sockets this coordinator holds, with their last stats. */
  public List<LocalNode> localNodes(String stream) {
    List<LocalNode> out = new ArrayList<>();
    for (Session s : switchboard.sessions()) {
      if (s.state == Session.State.JOINED && stream.equals(s.stream)) {
        out.add(new LocalNode(s.nodeId, s.root, s.lastStats, s.previousStats));
      }
    }
    return out;
  }

  /** How long a socket refused at connect stays open after its error (see handle). */
  static final long REFUSED_SOCKET_CLOSE_MS = 250;

  public void handle(ServerWebSocket ws) {
    if (stopping.getAsBoolean()) {
      ws.close(SERVICE_RESTART, RESUME_ELSEWHERE);
      return;
    }
    long now = clock.millis();
    var sc = config.signalling();
    Session s =
        new Session(
            ws,
            addresses.of(ws),
            new TokenBucket(sc.messagesPerSecond(), sc.messageBurst(), System.nanoTime()),
            now);
    s.page = addresses.page(ws);
    if (!limits.openSocket(s.address)) {
      overLimit(
          s,
          ErrorCode.TOO_MANY_SOCKETS,
          "this address already holds " + sc.maxSocketsPerIp() + " sockets");
      // Closed a moment after the error, not at once: a client attaches its handlers only when its
      // upgrade completes, and Vert.x's client then fails on a socket already closed ("WebSocket
      // is closed"), losing the refusal (AbuseLimitsTest, runs L and M). Not counted meanwhile.
      vertx.setTimer(
          REFUSED_SOCKET_CLOSE_MS,
          t -> s.socket.close(POLICY_VIOLATION, ErrorCode.TOO_MANY_SOCKETS.wire()));
      return;
    }
    s.countedSocket = true;
    synchronized (pending) {
      pending.add(s);
    }
    ws.textMessageHandler(text -> onText(s, text));
    ws.binaryMessageHandler(
        b -> reject(s, ErrorCode.BINARY_NOT_SUPPORTED, "signalling messages are JSON text frames"));
    ws.exceptionHandler(e -> LOG.debug("socket error: {}", e.toString()));
    ws.closeHandler(v -> onClose(s));
  }

  private void onText(Session s, String text) {
    if (s.state == Session.State.GONE) {
      return;
    }
    if (!s.bucket.tryTake(System.nanoTime())) {
      if (++s.rateViolations > config.signalling().maxRateViolations()) {
        metrics.error(ErrorCode.RATE_LIMITED.wire());
        s.refuse(ErrorCode.RATE_LIMITED, "too many messages: connection closed", POLICY_VIOLATION);
      } else {
        reject(
            s,
            ErrorCode.RATE_LIMITED,
            "too many messages: slow down (limit "
                + config.signalling().messagesPerSecond()
                + "/s)");
      }
      return;
    }
    if (text.length() > config.signalling().maxMessageBytes()) {
      reject(
          s,
          ErrorCode.TOO_LARGE,
          "message of "
              + text.length()
              + " bytes exceeds the limit of "
              + config.signalling().maxMessageBytes());
      return;
    }
    Message m;
    try {
      m = MessageCodec.decode(text);
    } catch (ProtocolException e) {
      reject(s, e.errorCode(), e.getMessage());
      return;
    }
    dispatch(s, m)
        .onFailure(
            e -> {
              LOG.warn(
                  "failed to handle {} from {}: {}",
                  MessageCodec.typeOf(m),
                  s.nodeId,
                  e.toString());
              reject(
                  s,
                  ErrorCode.INTERNAL,
                  "the coordinator could not handle this message; try again");
            });
  }

  private Future<Void> dispatch(Session s, Message m) {
    if ((m instanceof Message.Join || m instanceof Message.Resume)
        && s.state == Session.State.CONNECTED
        && !limits.tryJoin(s.address, System.nanoTime())) {
      overLimit(
          s,
          ErrorCode.TOO_MANY_JOINS,
          "too many joins from this address: try again in a few seconds (limit "
              + config.signalling().joinsPerIpPerSecond()
              + "/s)");
      return Future.succeededFuture();
    }
    if (m instanceof Message.Join j) {
      return s.state == Session.State.CONNECTED ? admission.join(s, j) : alreadyJoined(s);
    }
    if (m instanceof Message.Resume r) {
      return s.state == Session.State.CONNECTED ? admission.resume(s, r) : alreadyJoined(s);
    }
    if (s.state != Session.State.JOINED) {
      reject(s, ErrorCode.NOT_JOINED, "send 'join' first");
      return Future.succeededFuture();
    }
    s.lastSeen = clock.millis();
    if (m instanceof Message.Signal sig) {
      return relaySignal(s, sig);
    } else if (m instanceof Message.Heartbeat h) {
      return reports.heartbeat(s, h);
    } else if (m instanceof Message.Report r) {
      return reports.report(s, r);
    } else if (m instanceof Message.Leave) {
      s.state = Session.State.GONE;
      s.departure = "left";
      s.departureNoticed = System.nanoTime();
      return departures.depart(s).onComplete(x -> s.socket.close((short) 1000, "left"));
    }
    reject(
        s,
        ErrorCode.UNEXPECTED_TYPE,
        "'" + MessageCodec.typeOf(m) + "' is sent by the coordinator, not to it");
    return Future.succeededFuture();
  }

  private Future<Void> alreadyJoined(Session s) {
    reject(
        s,
        ErrorCode.ALREADY_JOINED,
        "this socket has already joined; open another socket for another node");
    return Future.succeededFuture();
  }

  private Future<Void> relaySignal(Session s, Message.Signal sig) {
    if (sig.to().equals(s.nodeId)) {
      reject(s, ErrorCode.NOT_NEIGHBOUR, "a node cannot signal itself");
      return Future.succeededFuture();
    }
    return trees
        .edgeOwner(s.stream, s.nodeId, sig.to())
        .map(
            owner -> {
              if (owner == null || owner.isEmpty()) {
                reject(
                    s,
                    ErrorCode.NOT_NEIGHBOUR,
                    "'"
                        + Admission.abbreviate(sig.to())
                        + "' is not your parent or child (or is not connected): signals travel along tree edges only");
              } else {
                switchboard.deliver(
                    owner, sig.to(), new Message.Signal(s.nodeId, sig.to(), sig.data()));
              }
              return null;
            });
  }

  /**
   * A client's free text fit for one log line: control characters (a forged line break) out, 160
   * chars at most.
   */
  static String printable(String text) {
    if (text == null) {
      return "nothing";
    }
    String line = text.replaceAll("\\p{Cntrl}", " ");
    return line.length() > 160 ? line.substring(0, 160) + "…" : line;
  }

  private void reject(Session s, ErrorCode code, String message) {
    metrics.error(code.wire());
    s.fail(code, message);
  }

  /**
   * Refuses with an error (the caller decides whether to close) and logs the address once per
   * episode.
   */
  private void overLimit(Session s, ErrorCode code, String message) {
    if (limits.firstRefusal(s.address)) {
      LOG.info("{} from {}: {}", code.wire(), addresses.forLog(s.address), message);
    }
    reject(s, code, message);
  }

  private void onClose(Session s) {
    synchronized (pending) {
      pending.remove(s);
    }
    if (s.countedSocket) {
      s.countedSocket = false;
      limits.closeSocket(s.address);
    }
    Session.State was = s.state;
    s.state = Session.State.GONE;
    if (s.departureNoticed == 0) {
      s.departureNoticed = System.nanoTime();
    }
    // A coordinator shutting down keeps its nodes' places: they resume on a survivor within the
    // grace period.
    if (was == Session.State.JOINED && !stopping.getAsBoolean()) {
      departures.depart(s);
    }
  }

  private void checkLiveness() {
    limits.prune(System.nanoTime());
    long now = clock.millis();
    long limit = config.liveness().silenceLimitMs();
    int removed = 0;
    for (Session s : switchboard.sessions()) {
      if (s.state == Session.State.JOINED && silence.check(s, now)) {
        // The first three by name, then one count: a mass loss (a network cut) must not flood the
        // log from the loop.
        if (removed++ < 3) {
          LOG.info(
              "node {} of '{}' missed {} heartbeats: removing it",
              s.nodeId,
              s.stream,
              config.liveness().missedHeartbeats());
        }
        s.departure = "silent";
        s.departureNoticed = System.nanoTime();
        // It departs now, not when its socket ends: a node whose network went dark answers no
        // close, and its socket lingers until a timeout while its children wait (DarkNodeTest).
        s.state = Session.State.GONE;
        departures.depart(s);
        s.refuse(ErrorCode.SILENT, "no heartbeat for " + limit + " ms", POLICY_VIOLATION);
      }
    }
    if (removed > 3) {
      LOG.info(
          "{} nodes in all missed {} heartbeats and were removed",
          removed,
          config.liveness().missedHeartbeats());
    }
    long joinTimeout = config.signalling().joinTimeoutMs();
    List<Session> idle = new ArrayList<>();
    synchronized (pending) {
      for (Session s : pending) {
        if (s.state == Session.State.CONNECTED && now - s.openedAt > joinTimeout) {
          idle.add(s);
        }
      }
    }
    idle.forEach(
        s ->
            s.refuse(
                ErrorCode.JOIN_TIMEOUT, "no join within " + joinTimeout + " ms", POLICY_VIOLATION));
  }

  public void stop() {
    vertx.cancelTimer(livenessTimer);
  }

  /**
   * Graceful shutdown: closes every socket with {@link #SERVICE_RESTART}. The nodes keep their
   * places (the caller has set {@code stopping}, so no close counts as a departure) and resume on a
   * surviving coordinator.
   */
  public Future<Void> drain() {
    List<Future<Void>> closed = new ArrayList<>();
    // joined sessions may still be in pending
    java.util.Set<Session> all = new java.util.LinkedHashSet<>();
    switchboard.sessions().forEach(all::add);
    synchronized (pending) {
      all.addAll(pending);
    }
    for (Session s : all) {
      if (!s.socket.isClosed()) {
        closed.add(s.socket.close(SERVICE_RESTART, RESUME_ELSEWHERE));
      }
    }
    return Future.join(closed).<Void>mapEmpty().otherwiseEmpty();
  }
}
