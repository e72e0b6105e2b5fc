package dev.waterfall.loadtest.signalling;

import io.vertx.core.http.WebSocket;
import java.util.concurrent.atomic.AtomicBoolean;

/** One simulated node: its socket, its place once welcomed, and the clocks of its join. */
final class Viewer {
  final int slot;
  final JoinBatch batch;
  final long connectStarted = System.nanoTime();
  /** Set once the join's outcome (welcome, error, close, failure) is counted, so it is counted once. */
  final AtomicBoolean settled = new AtomicBoolean();
  volatile WebSocket socket;
  volatile long joinSent;
  volatile String nodeId;
  volatile boolean joined;

  Viewer(int slot, JoinBatch batch) {
    this.slot = slot;
    this.batch = batch;
  }
}
