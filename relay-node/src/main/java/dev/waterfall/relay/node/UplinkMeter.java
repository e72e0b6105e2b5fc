package dev.waterfall.relay.node;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * This relay's upload, learnt from what it actually sends, by the browser's rule (web-player
 * p2p/uplink.js): a booster on a friend's home line cannot carry four copies of every stream, and
 * nobody tells it its uplink. A busy period starts when a frame is queued while every child's queue
 * was empty and ends when they have all drained: the bytes queued over its length is what the
 * uplink carried while it was the bottleneck (every child is sent the same frames at once), if it
 * fed at least two children. A backlog that never drains is sampled every {@link #LONG_BUSY_MS}
 * from what left the queues meanwhile. The coordinator turns the figure (heartbeat {@code
 * uplinkKbps}) into slots. Called on the node's context only.
 */
final class UplinkMeter {
  /**
   * A busy period shorter than this, or carrying less, says more about timers than about the
   * uplink.
   */
  static final long MIN_SAMPLE_BYTES = 96 * 1024;

  static final long MIN_SAMPLE_MS = 20;

  /** A backlog lasting this long is sampled without waiting for it to drain. */
  static final long LONG_BUSY_MS = 1000;

  /** Samples older than this are forgotten: an uplink shared with the household changes. */
  static final long WINDOW_MS = 30_000;

  /**
   * Children a busy period must have fed for its rate to be the uplink's, not one edge's (see
   * {@link #sample}).
   */
  static final int MIN_SAMPLE_CHILDREN = 2;

  private long busySince = -1;
  private long busyBytes;

  /** The children sent to during the busy period. */
  private final java.util.Set<String> busyChildren = new java.util.HashSet<>();

  /** {at, kbps} of each sample, oldest first. */
  private final Deque<double[]> samples = new ArrayDeque<>();

  /**
   * {@code bytes} were queued for child {@code childId} at {@code now}; {@code queuedBefore}: what
   * every child's queue held together just before.
   */
  void sent(long now, long bytes, long queuedBefore, String childId) {
    if (busySince < 0 && queuedBefore == 0) {
      busySince = now;
      busyBytes = 0;
      busyChildren.clear();
    }
    if (busySince >= 0) {
      busyBytes += bytes;
      busyChildren.add(childId);
    }
  }

  /** The queues hold {@code queued} bytes at {@code now} (0 once every child's channel drained). */
  void check(long now, long queued) {
    if (busySince < 0) {
      return;
    }
    long ms = now - busySince;
    if (queued == 0) {
      sample(now, busyBytes, ms);
      busySince = -1;
    } else if (ms >= LONG_BUSY_MS) {
      sample(now, busyBytes - queued, ms);
      busySince = now; // what is still queued opens the next sample
      busyBytes = queued;
    }
  }

  /**
   * One child's backlog drains at that edge's rate: over a lossy home link far below the uplink
   * (field lab: a 20 Mbit/s booster measured one stream and lost its slots). Only a period that fed
   * several children at once, competing for the uplink, measures it; a lone child's delivery counts
   * through sustained delivery instead ({@link Forwarder#uplinkKbps}).
   */
  private void sample(long now, long bytes, long ms) {
    if (bytes >= MIN_SAMPLE_BYTES
        && ms >= MIN_SAMPLE_MS
        && busyChildren.size() >= MIN_SAMPLE_CHILDREN) {
      samples.addLast(new double[] {now, bytes * 8.0 / ms});
    }
  }

  /**
   * kbit/s the uplink has been seen to carry: the best sample of the last {@link #WINDOW_MS}; null
   * before any.
   */
  Integer kbps(long now) {
    samples.removeIf(s -> now - s[0] > WINDOW_MS);
    return samples.stream().mapToDouble(s -> s[1]).max().stream()
        .mapToObj(k -> (int) Math.round(k))
        .findFirst()
        .orElse(null);
  }
}
