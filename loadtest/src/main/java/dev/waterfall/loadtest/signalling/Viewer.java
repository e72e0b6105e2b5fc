package dev.waterfall.loadtest.signalling;

import io.vertx.core.http.WebSocket;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** One simulated node: its socket, its place once welcomed, and the clocks of its join. */
final class Viewer {
  final int slot;
  final JoinBatch batch;
  /** The origin never departs in the churn phase: its loss is not a repair the tree can make. */
  final boolean origin;
  final long connectStarted = System.nanoTime();
  /** Set once the join's outcome (welcome, error, close, failure) is counted, so it is counted once. */
  final AtomicBoolean settled = new AtomicBoolean();
  /** Children the coordinator gave us ({@code child-joined} minus {@code child-left}): moves a departure should cause. */
  final AtomicInteger children = new AtomicInteger();
  volatile WebSocket socket;
  volatile long joinSent;
  volatile String nodeId;
  volatile boolean joined;
  /** Our parent as the coordinator last said (welcome, then reparents): tells a repair from a rebalancing. */
  volatile String parent;
  /** Set before we leave or close on purpose, so the close is not counted as a drop. */
  volatile boolean departed;

  Viewer(int slot, JoinBatch batch, boolean origin) {
    this.slot = slot;
    this.batch = batch;
    this.origin = origin;
  }
}
