package dev.waterfall.loadtest.kit.clients;

import io.vertx.core.Vertx;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * One timer for all nodes' heartbeats. Slot i is visited once per interval, at its own offset, so
 * 10,000 nodes on a 2 s interval send 5,000 heartbeats/s evenly rather than 10,000 at once every 2
 * s (which would measure our burst, not the coordinator's steady state). The cursor follows the
 * wall clock, so a late tick catches up.
 */
public final class HeartbeatPacer {
  private final Vertx vertx;
  private final Node[] slots;

  /** How many slots the cursor cycles over: all of them, or those in use so far. */
  private final IntSupplier cycle;

  private final String heartbeat;
  private final long intervalNanos;
  private final LongAdder sent = new LongAdder();
  private long started;
  private long cursor;
  private long timer = -1;

  HeartbeatPacer(
      Vertx vertx, Node[] slots, IntSupplier cycle, String heartbeatText, long intervalMs) {
    this.vertx = vertx;
    this.slots = slots;
    this.cycle = cycle;
    this.heartbeat = heartbeatText;
    this.intervalNanos = intervalMs * 1_000_000L;
  }

  /**
   * How many slot visits are due after {@code elapsedNanos}: {@code slots} per interval, spread
   * evenly.
   */
  public static long due(long slots, long elapsedNanos, long intervalNanos) {
    return Math.multiplyHigh(slots, elapsedNanos) == 0
        ? slots * elapsedNanos / intervalNanos
        : (long) ((double) slots * elapsedNanos / intervalNanos);
  }

  void start(long tickMs) {
    started = System.nanoTime();
    timer = vertx.setPeriodic(tickMs, t -> tick());
  }

  private void tick() {
    int n = cycle.getAsInt();
    long target = due(n, System.nanoTime() - started, intervalNanos);
    for (; cursor < target; cursor++) {
      Node v = slots[(int) (cursor % n)];
      if (v != null && v.joined && v.socket != null && !v.socket.isClosed()) {
        v.socket.writeTextMessage(heartbeat);
        sent.increment();
      }
    }
  }

  long sent() {
    return sent.sum();
  }

  void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }
}
