package dev.waterfall.loadtest.kit.clients;

import dev.waterfall.loadtest.report.Latency;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The outcome of opening {@code count} nodes with at most {@code concurrency} joins in flight.
 * Callbacks on several event loops record into it, hence the thread-safe recorders and counters.
 */
public final class JoinBatch {
  public final String label;
  public final int count;
  public final Semaphore inFlight;
  public final CountDownLatch settled;

  /** join sent → welcome received: what the coordinator costs. */
  private final Recorder joinToWelcome = new Recorder(3);

  /** TCP connect + WebSocket upgrade + join → welcome: what a node waits in all. */
  private final Recorder connectToWelcome = new Recorder(3);

  public final AtomicInteger joined = new AtomicInteger();
  public final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
  public final AtomicLong lastSettled = new AtomicLong();
  public volatile long started;
  public volatile long heartbeatIntervalMs;
  private Histogram joinHistogram;
  private Histogram connectHistogram;

  public JoinBatch(String label, int count, int concurrency) {
    this.label = label;
    this.count = count;
    this.inFlight = new Semaphore(concurrency);
    this.settled = new CountDownLatch(count);
  }

  /** Counts {@code v}'s welcome unless its join was already counted; says whether it counted. */
  boolean welcomed(Node v, long now, long intervalMs) {
    if (!v.settled.compareAndSet(false, true)) {
      return false;
    }
    joinToWelcome.recordValue(now - v.joinSent);
    connectToWelcome.recordValue(now - v.connectStarted);
    heartbeatIntervalMs = intervalMs;
    joined.incrementAndGet();
    finish(now);
    return true;
  }

  /** Counts {@code v}'s join as failed unless it was already counted; says whether it counted. */
  boolean failed(Node v, String why) {
    if (!v.settled.compareAndSet(false, true)) {
      return false;
    }
    refused(why);
    return true;
  }

  /** A join that was never opened counts as failed. */
  public void refused(String why) {
    failures.computeIfAbsent(why, k -> new LongAdder()).increment();
    finish(System.nanoTime());
  }

  private void finish(long now) {
    lastSettled.accumulateAndGet(now, Math::max);
    inFlight.release();
    settled.countDown();
  }

  /** Freezes the histograms; call once, after the batch. */
  public void close() {
    joinHistogram = joinToWelcome.getIntervalHistogram();
    connectHistogram = connectToWelcome.getIntervalHistogram();
  }

  public Histogram joinLatencies() {
    return joinHistogram;
  }

  public Histogram connectLatencies() {
    return connectHistogram;
  }

  /** First connect to last outcome. */
  public long nanos() {
    return Math.max(0, lastSettled.get() - started);
  }

  public long joinsPerSecond() {
    return Latency.perSecond(joined.get(), nanos());
  }
}
