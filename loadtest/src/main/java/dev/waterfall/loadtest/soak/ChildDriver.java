package dev.waterfall.loadtest.soak;

import dev.waterfall.loadtest.run.Deadline;
import dev.waterfall.relay.peer.PeerFactory;
import io.vertx.core.Vertx;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps {@code concurrent} children in flight until {@code edges} edges have been made and closed
 * (or the deadline passes): a new child starts only when one has wholly ended, its slot under the
 * booster free again, so no join finds the booster full. Runs on a thread of its own; the sampler
 * reads {@link EdgeCounts} meanwhile.
 */
final class ChildDriver {
  /** Joins in a row that made no edge before the run gives up (something is wrong, not churn). */
  private static final int MAX_FAILURES_IN_A_ROW = 50;

  private static final long FAILURE_PAUSE_MS = 250;

  /** Between processes joins cannot reach the booster: retry less often than after a failure. */
  private static final long RECYCLE_PAUSE_MS = 500;

  private final Vertx vertx;
  private final String base;
  private final String stream;
  private final CurrentBooster booster;
  private final PeerFactory peers;
  private final int concurrent;
  private final long lifeMs;
  private final long edges;
  private final Deadline deadline;
  final EdgeCounts counts = new EdgeCounts();
  private final Semaphore slots;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger failuresInARow = new AtomicInteger();
  private final Thread thread;
  private volatile String stoppedBecause;

  ChildDriver(
      Vertx vertx,
      String base,
      String stream,
      CurrentBooster booster,
      PeerFactory peers,
      int concurrent,
      long lifeMs,
      long edges,
      Deadline deadline) {
    this.vertx = vertx;
    this.base = base;
    this.stream = stream;
    this.booster = booster;
    this.peers = peers;
    this.concurrent = concurrent;
    this.lifeMs = lifeMs;
    this.edges = edges;
    this.deadline = deadline;
    this.slots = new Semaphore(concurrent);
    this.thread = new Thread(this::drive, "soak-children");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  boolean running() {
    return thread.isAlive() || inFlight.get() > 0;
  }

  /** Why it stopped early (null: it made its edges). */
  String stoppedBecause() {
    return stoppedBecause;
  }

  void stop(String why) {
    stoppedBecause = why;
    thread.interrupt();
  }

  /** Waits for the children in flight to end, at most {@code seconds}. */
  boolean drain(long seconds) throws InterruptedException {
    thread.join(TimeUnit.SECONDS.toMillis(seconds));
    if (!slots.tryAcquire(concurrent, seconds, TimeUnit.SECONDS)) {
      return false;
    }
    slots.release(concurrent);
    return true;
  }

  private void drive() {
    try {
      while (counts.closed.get() + inFlight.get() < edges) {
        if (deadline.passed()) {
          stoppedBecause = "time budget spent";
          return;
        }
        if (!slots.tryAcquire(1, TimeUnit.SECONDS)) {
          continue;
        }
        if (counts.closed.get() + inFlight.get() >= edges) {
          slots.release();
          break;
        }
        if (failuresInARow.get() >= MAX_FAILURES_IN_A_ROW) {
          slots.release();
          stoppedBecause = MAX_FAILURES_IN_A_ROW + " children in a row made no edge";
          return;
        }
        inFlight.incrementAndGet();
        SoakChild.run(vertx, base, stream, booster, peers, lifeMs, counts)
            .whenComplete(
                (outcome, e) -> {
                  inFlight.decrementAndGet();
                  if (outcome == SoakChild.Outcome.CLOSED) {
                    failuresInARow.set(0);
                    slots.release();
                    // expected while the booster is replaced
                  } else if (outcome == SoakChild.Outcome.IN_RECYCLE) {
                    vertx.setTimer(RECYCLE_PAUSE_MS, t -> slots.release());
                  } else { // a short pause, so a refusing coordinator is not hammered
                    failuresInARow.incrementAndGet();
                    vertx.setTimer(FAILURE_PAUSE_MS, t -> slots.release());
                  }
                });
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
