package dev.waterfall.protocol.tls;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.Objects;

/**
 * Presents a renewed certificate without a restart. Every {@code every} it compares the files'
 * stamps (time and size) with the pair being served; when they differ it reads and checks both, and
 * only a sound pair replaces the served one ({@link HttpServer#updateSSLOptions}): open connections
 * keep theirs, new handshakes get the new one. A refused pair (half written, mismatched) is tried
 * again at the next check and reported once.
 *
 * <p>Why a timer and not SIGHUP: the JVM has no supported signal API (and uses some signals
 * itself), and the tools that renew (Caddy, certbot, acme.sh, a Kubernetes secret mount) all
 * rewrite files, while not all of them can signal a process they do not own. Stat-ing two files
 * once a minute costs nothing.
 */
public final class CertificateReloader {
  /** What happened at a check that found changed files; called on the server's context. */
  public interface Listener {
    void reloaded(PemKeyPair now);

    void refused(String problem);
  }

  private final Vertx vertx;
  private final HttpServer server;
  private final Listener listener;
  private final long timer;
  private volatile PemKeyPair current;
  private FileStamp lastRefused;
  private Future<Boolean> running;

  private CertificateReloader(
      Vertx vertx, HttpServer server, PemKeyPair current, Duration every, Listener listener) {
    this.vertx = vertx;
    this.server = server;
    this.current = current;
    this.listener = listener;
    this.timer = every.isZero() ? -1 : vertx.setPeriodic(every.toMillis(), t -> checkNow());
  }

  /**
   * Starts watching {@code current}'s files for {@code server}, which presents {@code current} now.
   * {@code every} zero: never on a timer, only by {@link #checkNow()}.
   */
  public static CertificateReloader watch(
      Vertx vertx, HttpServer server, PemKeyPair current, Duration every, Listener listener) {
    return new CertificateReloader(vertx, server, Objects.requireNonNull(current), every, listener);
  }

  /** The pair the server presents to new connections. */
  public PemKeyPair current() {
    return current;
  }

  /** Checks the files now; true when the server presents a new certificate afterwards. */
  public synchronized Future<Boolean> checkNow() {
    if (running != null && !running.isComplete()) {
      return running; // one check at a time
    }
    PemKeyPair served = current;
    running =
        vertx
            .<PemKeyPair>executeBlocking(
                () -> {
                  FileStamp stamp = FileStamp.of(served.certPath(), served.keyPath());
                  return stamp.equals(served.stamp())
                      ? null
                      : PemKeyPair.load(served.certPath(), served.keyPath());
                },
                false)
            .compose(
                fresh -> {
                  if (fresh == null) {
                    return Future.succeededFuture(false);
                  }
                  return server
                      .updateSSLOptions(fresh.sslOptions(), true)
                      .map(
                          updated -> {
                            if (updated) {
                              current = fresh;
                              lastRefused = null;
                              listener.reloaded(fresh);
                            }
                            return updated;
                          });
                })
            .recover(
                e -> {
                  FileStamp stamp = FileStamp.of(served.certPath(), served.keyPath());
                  if (!stamp.equals(lastRefused)) {
                    lastRefused = stamp;
                    listener.refused(e.getMessage() + "; still presenting " + served.describe());
                  }
                  return Future.succeededFuture(false);
                });
    return running;
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }
}
