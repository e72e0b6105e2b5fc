package dev.waterfall.relay.source;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A file ({@code --input}) or an RTMP publisher ({@code --rtmp}) through ffmpeg. ffmpeg encodes and
 * pushes HLS by PUT into a private {@link IngestSource} (an HTTP server on 127.0.0.1, random port,
 * one-off key), so every input takes the same path into the origin as external HTTP ingest.
 *
 * <p>A file: a supervisor thread runs ffmpeg and restarts it with back-off when it exits (ffmpeg
 * crashed); a file played once ends the source when ffmpeg finishes it. RTMP: the RTMP gate ({@code
 * dev.waterfall.relay.rtmp.RtmpGate}) checks the publisher's key and calls {@link
 * #openPublisher()}, which starts one ffmpeg reading the publisher's FLV on its standard input
 * until the publisher leaves. ffmpeg's output is logged at debug, its last lines at warn when it
 * fails. {@link #close()} stops it.
 */
public final class FfmpegSource implements SegmentSource {

  private static final Logger log = LoggerFactory.getLogger(FfmpegSource.class);

  static final long MIN_BACKOFF_MILLIS = 500;
  static final long MAX_BACKOFF_MILLIS = 10_000;

  /** A run this long counts as healthy: the next failure starts the back-off over. */
  private static final long HEALTHY_RUN_MILLIS = 30_000;

  /** A file that fails this often in a row, quickly, will not start working: give up. */
  private static final int MAX_QUICK_FILE_FAILURES = 5;

  private static final int TAIL_LINES = 20;

  private final FfmpegOptions options;
  private final String ffmpeg;
  private final IngestSource ingest;
  private final HttpServer server;
  private final List<String> command;
  private final Thread supervisor;
  private final Thread shutdownHook;
  private final Object processLock = new Object();
  private Process process;
  private volatile boolean stopping;
  private volatile int starts;

  private FfmpegSource(
      FfmpegOptions options, String ffmpeg, IngestSource ingest, HttpServer server, String key) {
    this.options = options;
    this.ffmpeg = ffmpeg;
    this.ingest = ingest;
    this.server = server;
    String url = "http://127.0.0.1:" + server.actualPort() + ingest.playlistPath();
    this.command = FfmpegCommand.build(ffmpeg, options, url, key);
    this.supervisor = new Thread(this::supervise, "ffmpeg-" + options.stream());
    this.supervisor.setDaemon(true);
    // An orphaned ffmpeg would keep the RTMP port: take it down with the JVM.
    this.shutdownHook =
        new Thread(this::destroyProcess, "ffmpeg-" + options.stream() + "-shutdown");
  }

  /**
   * Finds ffmpeg, starts the private ingest server and ffmpeg. The future completes once ffmpeg has
   * been started; it fails with {@link FfmpegCommand.NotFoundException} (whose message says how to
   * install ffmpeg) when ffmpeg is not on PATH.
   */
  public static Future<FfmpegSource> start(Vertx vertx, FfmpegOptions options) {
    String ffmpeg;
    try {
      ffmpeg = options.ffmpeg() != null ? options.ffmpeg() : findFfmpeg();
    } catch (FfmpegCommand.NotFoundException e) {
      return Future.failedFuture(e);
    }
    byte[] secret = new byte[24];
    new SecureRandom().nextBytes(secret);
    String key = HexFormat.of().formatHex(secret);
    IngestSource ingest =
        new IngestSource(
            options.stream(),
            key,
            options.firstSequence(),
            IngestSource.DEFAULT_MAX_UPLOAD_BYTES,
            IngestSource.DEFAULT_POLL_TIMEOUT);
    Router router = Router.router(vertx);
    ingest.mount(router);
    return vertx
        .createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(router)
        .listen()
        .map(
            server -> {
              FfmpegSource source = new FfmpegSource(options, ffmpeg, ingest, server, key);
              Runtime.getRuntime().addShutdownHook(source.shutdownHook);
              if (!options.isRtmp()) {
                source.supervisor.start();
              }
              return source;
            });
  }

  /**
   * ffmpeg on PATH; when missing, a {@link FfmpegCommand.NotFoundException} says how to install it.
   */
  public static String findFfmpeg() {
    return FfmpegCommand.find(System.getenv("PATH"));
  }

  @Override
  public Optional<MediaSegment> next() {
    return ingest.next();
  }

  public Optional<MediaSegment> next(Duration timeout) {
    return ingest.next(timeout);
  }

  @Override
  public boolean pacedByCaller() {
    return false;
  }

  /** True once closed, or once a file played to its end and every segment was taken. */
  public boolean ended() {
    return ingest.ended();
  }

  /** How many times ffmpeg was started (1 + restarts). */
  public int starts() {
    return starts;
  }

  private void supervise() {
    long backoff = MIN_BACKOFF_MILLIS;
    int quickFailures = 0;
    while (!stopping) {
      long began = System.nanoTime();
      int exit;
      try {
        exit = runOnce();
      } catch (IOException e) {
        log.error("cannot run {}: {}", ffmpeg, e.getMessage());
        exit = -1;
      } catch (InterruptedException e) {
        break;
      }
      if (stopping) {
        break;
      }
      long ranMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
      if (!options.isRtmp() && exit == 0 && !options.loop()) {
        log.info("stream {}: {} played to its end", options.stream(), options.input());
        break;
      }
      if (ranMillis >= HEALTHY_RUN_MILLIS) {
        backoff = MIN_BACKOFF_MILLIS;
        quickFailures = 0;
      } else if (!options.isRtmp() && ++quickFailures >= MAX_QUICK_FILE_FAILURES) {
        log.error(
            "stream {}: ffmpeg failed {} times in a row on {}; giving up",
            options.stream(),
            quickFailures,
            options.input());
        break;
      }
      log.info(
          "stream {}: ffmpeg exited with {} after {} ms{}; restarting in {} ms",
          options.stream(),
          exit,
          ranMillis,
          options.isRtmp() ? " (publisher gone?)" : "",
          backoff);
      try {
        Thread.sleep(backoff);
      } catch (InterruptedException e) {
        break;
      }
      backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
    }
    ingest.finish();
  }

  /**
   * RTMP: an admitted publisher's encoder. Starts ffmpeg reading FLV from its standard input, which
   * is returned; closing it lets ffmpeg finish. One at a time.
   */
  public java.io.OutputStream openPublisher() throws IOException {
    if (!options.isRtmp()) {
      throw new IllegalStateException("not an RTMP source");
    }
    Process previous;
    synchronized (processLock) {
      previous = process;
    }
    if (previous != null) {
      try {
        // A publisher that reconnects at once (OBS after a drop) finds the last run finishing its
        // final segment: give it a moment rather than refusing the publisher.
        previous.waitFor(3, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
    Process started;
    synchronized (processLock) {
      if (stopping) {
        throw new IOException("stream " + options.stream() + " is closing");
      }
      if (process != null && process.isAlive()) {
        throw new IOException("the previous publisher's ffmpeg is still running");
      }
      started = new ProcessBuilder(command).redirectErrorStream(true).start();
      process = started;
      starts++;
    }
    Thread output =
        new Thread(
            () -> {
              try {
                follow(started);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "ffmpeg-" + options.stream());
    output.setDaemon(true);
    output.start();
    return started.getOutputStream();
  }

  /** Runs ffmpeg once, logging its output; returns its exit code. */
  private int runOnce() throws IOException, InterruptedException {
    Process started;
    synchronized (processLock) {
      if (stopping) {
        return 0;
      }
      started = new ProcessBuilder(command).redirectErrorStream(true).start();
      process = started;
      starts++;
    }
    return follow(started);
  }

  /** Logs a started ffmpeg's output until it exits; returns its exit code. */
  private int follow(Process started) throws InterruptedException {
    log.info(
        "stream {}: ffmpeg started (pid {}) for {}",
        options.stream(),
        started.pid(),
        options.isRtmp() ? "an RTMP publisher" : options.input());
    ArrayDeque<String> tail = new ArrayDeque<>();
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(started.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        log.debug("ffmpeg[{}]: {}", options.stream(), line);
        if (tail.size() == TAIL_LINES) {
          tail.removeFirst();
        }
        tail.addLast(line);
      }
    } catch (IOException e) {
      log.debug("ffmpeg output closed: {}", e.toString());
    }
    int exit = started.waitFor();
    if (exit != 0 && !stopping) {
      log.warn(
          "stream {}: ffmpeg exited with {}; its last lines:\n  {}",
          options.stream(),
          exit,
          String.join("\n  ", tail));
    }
    return exit;
  }

  private void destroyProcess() {
    Process running;
    synchronized (processLock) {
      stopping = true;
      running = process;
    }
    if (running == null || !running.isAlive()) {
      return;
    }
    running.destroy(); // SIGTERM: ffmpeg finishes its output cleanly
    try {
      if (!running.waitFor(3, TimeUnit.SECONDS)) {
        running.destroyForcibly();
        running.waitFor(2, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      running.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** Stops ffmpeg and the private server; blocks up to a few seconds for ffmpeg to exit. */
  @Override
  public void close() {
    destroyProcess();
    supervisor.interrupt();
    try {
      supervisor.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down: the hook is running or has run
    }
    server.close();
    ingest.close();
  }
}
