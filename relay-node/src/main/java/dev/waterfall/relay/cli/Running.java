package dev.waterfall.relay.cli;

import dev.waterfall.protocol.Message;
import dev.waterfall.relay.peer.PeerFactory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/** Holds a command's running parts and stops them in reverse order on SIGTERM or Ctrl-C. */
public final class Running {
  public final Vertx vertx = Vertx.vertx();
  public final PeerFactory peers;
  private final List<AutoCloseable> parts = new ArrayList<>();
  private boolean stopped;

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
    untilStoppedOr(io.vertx.core.Promise.<Message.Error>promise().future());
  }

  /**
   * Until SIGTERM (or SIGINT), or until the coordinator refuses the node for good ({@code
   * refused}): then everything is stopped here and the refusal returned, for the command to explain
   * and exit non-zero. Null after a signal.
   */
  public Message.Error untilStoppedOr(Future<Message.Error> refused) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    AtomicReference<Message.Error> why = new AtomicReference<>();
    Thread hook =
        new Thread(
            () -> {
              stop();
              done.countDown();
            },
            "waterfall-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    refused.onSuccess(
        e -> {
          why.set(e);
          done.countDown();
        });
    done.await();
    if (why.get() != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDownAlready) {
        // the hook stops everything itself
      }
      stop();
    }
    return why.get();
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
    synchronized (this) {
      if (stopped) {
        return;
      }
      stopped = true;
    }
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
