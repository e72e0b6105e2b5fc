package dev.waterfall.relay.cli;

import dev.waterfall.relay.peer.PeerFactory;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** Holds a command's running parts and stops them in reverse order on SIGTERM or Ctrl-C. */
public final class Running {
  public final Vertx vertx = Vertx.vertx();
  public final PeerFactory peers;
  private final List<AutoCloseable> parts = new ArrayList<>();

  public Running() {
    this(PeerFactory.Settings.defaults());
  }

  public Running(PeerFactory.Settings links) {
    this.peers = new PeerFactory(links);
  }

  public <T extends AutoCloseable> T add(T part) {
    parts.add(part);
    return part;
  }

  public void untilStopped() throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stop();
                  stopped.countDown();
                },
                "waterfall-shutdown"));
    stopped.await();
  }

  /**
   * Ends the process from inside (a recycling booster): exit status 0 through the same shutdown
   * hook as SIGTERM, from a thread of its own, since the hook waits for the event loops that may be
   * calling this.
   */
  public void exit() {
    new Thread(() -> System.exit(0), "waterfall-exit").start();
  }

  public void stop() {
    for (int i = parts.size() - 1; i >= 0; i--) {
      try {
        parts.get(i).close();
      } catch (Exception e) {
        System.err.println("waterfall: while stopping: " + e);
      }
    }
    peers.close();
    vertx.close();
  }
}
