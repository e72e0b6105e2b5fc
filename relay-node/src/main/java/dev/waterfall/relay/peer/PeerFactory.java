package dev.waterfall.relay.peer;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the process's one libwebrtc {@link PeerConnectionFactory} (its signalling, worker and
 * network threads are shared by every {@link PeerLink}) and one small Java thread ("peer-links")
 * for timeouts, flow-control polling and native teardown. Create one per process and close it last,
 * after the links.
 *
 * <p>The native factory is made lazily, on the first link, so a process that never opens a link
 * never loads libwebrtc. It always uses {@link HeadlessAudioDeviceModule}: the default audio module
 * aborts the JVM on a machine without a sound device, and we carry no audio anyway.
 */
public final class PeerFactory implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PeerFactory.class);

  /**
   * Timeouts of every link made by a factory, and whether its links may use only TURN-relayed
   * candidates.
   */
  public record Settings(
      Duration openTimeout,
      Duration disconnectGrace,
      Duration flowPollInterval,
      boolean relayOnly) {
    /**
     * openTimeout: from creation until the DataChannel is open (signalling included).
     * disconnectGrace: how long ICE may stay "disconnected" (no consent responses) before the link
     * counts as dead; libwebrtc only declares "failed" after ~30 s. flowPollInterval: how often a
     * link above its low-water mark checks its bufferedAmount (webrtc-java 0.14.0 never calls
     * onBufferedAmountChange, so we poll). relayOnly: ICE transport policy "relay", i.e. only
     * candidates allocated on a TURN server (to test a TURN setup, or to keep this host's addresses
     * from its peers); without a TURN server in the welcome no link can open then.
     */
    public Settings {
      Objects.requireNonNull(openTimeout, "openTimeout");
      Objects.requireNonNull(disconnectGrace, "disconnectGrace");
      Objects.requireNonNull(flowPollInterval, "flowPollInterval");
      if (openTimeout.toMillis() <= 0
          || disconnectGrace.isNegative()
          || flowPollInterval.toNanos() <= 0) {
        throw new IllegalArgumentException(
            "openTimeout and flowPollInterval must be positive, "
                + "disconnectGrace not negative: "
                + this);
      }
    }

    public Settings(Duration openTimeout, Duration disconnectGrace, Duration flowPollInterval) {
      this(openTimeout, disconnectGrace, flowPollInterval, false);
    }

    public static Settings defaults() {
      return new Settings(Duration.ofSeconds(20), Duration.ofSeconds(4), Duration.ofMillis(2));
    }

    /** The same, with links that use only TURN-relayed candidates. */
    public Settings withRelayOnly() {
      return new Settings(openTimeout, disconnectGrace, flowPollInterval, true);
    }
  }

  private final Settings settings;
  private final ScheduledExecutorService timers;

  /** The links' sends, in order (ChannelSender): off the callers' event loops. */
  private final ExecutorService sends =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "peer-sends");
            t.setDaemon(true);
            return t;
          });

  private final Set<PeerLink> links = ConcurrentHashMap.newKeySet();
  private final java.util.concurrent.atomic.AtomicLong made =
      new java.util.concurrent.atomic.AtomicLong();
  private HeadlessAudioDeviceModule audio;
  private PeerConnectionFactory factory;
  private boolean closed;

  public PeerFactory() {
    this(Settings.defaults());
  }

  public PeerFactory(Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "peer-links");
              t.setDaemon(true);
              return t;
            });
    // Timeouts are cancelled on every open link: drop them from the queue at once, and on close()
    // run only the teardowns already queued, not the timeouts still pending.
    executor.setRemoveOnCancelPolicy(true);
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    this.timers = executor;
  }

  public Settings settings() {
    return settings;
  }

  /** Links not yet closed. */
  public int openLinks() {
    return links.size();
  }

  synchronized PeerConnectionFactory nativeFactory() {
    if (closed) {
      throw new IllegalStateException("PeerFactory is closed");
    }
    if (factory == null) {
      audio = new HeadlessAudioDeviceModule();
      factory = new PeerConnectionFactory(audio);
    }
    return factory;
  }

  /**
   * The native factory for realtime edges (media tracks, {@code dev.waterfall.relay.realtime}),
   * which close their connections on {@link #teardown()} so that {@link #close()} disposes the
   * factory only after them.
   */
  public PeerConnectionFactory mediaFactory() {
    return nativeFactory();
  }

  /** Where realtime edges close their connections (the links' teardown thread). */
  public java.util.concurrent.Executor teardown() {
    return timers;
  }

  /**
   * The thread that hands every link's DataChannel messages to libwebrtc, in the order they were
   * sent (also the realtime edges' rt-audio channels): a native send hops synchronously onto
   * libwebrtc's network thread, which must not block the node's context.
   */
  public Executor sends() {
    return sends;
  }

  /**
   * The thread for timeouts, polling and teardown. Tasks on it must be short and must not block.
   */
  ScheduledExecutorService timers() {
    return timers;
  }

  void register(PeerLink link) {
    links.add(link);
    made.incrementAndGet();
  }

  /**
   * Peer connections made so far (DataChannel links and realtime edges). webrtc-java 0.14.0 keeps
   * ~70 KB of native memory of each one closed (docs/benchmarks.md, "soak"): what a booster's
   * --recycle-after-links bounds.
   */
  public long linksMade() {
    return made.get();
  }

  /**
   * A realtime edge's connection was made on {@link #mediaFactory()} (counted in {@link
   * #linksMade()}).
   */
  public void madeMediaEdge() {
    made.incrementAndGet();
  }

  void unregister(PeerLink link) {
    links.remove(link);
  }

  /**
   * Closes every link still open (their listeners get {@code onClosed}), waits for their native
   * teardown, then disposes the native factory. Idempotent.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    for (PeerLink link : new ArrayList<>(links)) {
      link.close();
    }
    sends.shutdownNow(); // what was not sent yet goes with the links
    // Teardown tasks are queued on the timers thread: let them run, then stop it.
    timers.shutdown();
    try {
      if (!timers.awaitTermination(10, TimeUnit.SECONDS)) {
        log.warn("peer links still tearing down after 10 s; disposing the factory anyway");
        List<Runnable> dropped = timers.shutdownNow();
        log.debug("{} pending tasks dropped", dropped.size());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      if (factory != null) {
        try {
          factory.dispose();
        } catch (RuntimeException | Error e) {
          NativeErrors.rethrowIfFatal(e);
          log.warn("disposing the PeerConnectionFactory failed: {}", e.toString());
        }
        factory = null;
      }
      if (audio != null) {
        try {
          audio.dispose();
        } catch (RuntimeException | Error e) {
          NativeErrors.rethrowIfFatal(e);
          log.debug("disposing the audio module failed: {}", e.toString());
        }
        audio = null;
      }
    }
  }
}
