package dev.waterfall.loadtest.signalling;

import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * The outcome of opening {@code count} nodes with at most {@code concurrency} joins in flight. Callbacks on
 * several event loops record into it, hence the thread-safe recorders and counters.
 */
final class JoinBatch {
  final String label;
  final int count;
  final Semaphore inFlight;
  final CountDownLatch settled;
  /** join sent → welcome received: what the coordinator costs. */
  final Recorder joinToWelcome = new Recorder(3);
  /** TCP connect + WebSocket upgrade + join → welcome: what a node waits in all. */
  final Recorder connectToWelcome = new Recorder(3);
  final AtomicInteger joined = new AtomicInteger();
  final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
  final AtomicLong lastSettled = new AtomicLong();
  volatile long started;
  volatile long heartbeatIntervalMs;
  private Histogram joinHistogram;
  private Histogram connectHistogram;

  JoinBatch(String label, int count, int concurrency) {
    this.label = label;
    this.count = count;
    this.inFlight = new Semaphore(concurrency);
    this.settled = new CountDownLatch(count);
  }

  void welcomed(Viewer v, long now, long intervalMs) {
    if (v.settled.compareAndSet(false, true)) {
      joinToWelcome.recordValue(now - v.joinSent);
      connectToWelcome.recordValue(now - v.connectStarted);
      heartbeatIntervalMs = intervalMs;
      joined.incrementAndGet();
      finish(now);
    }
  }

  void failed(Viewer v, String why) {
    if (v.settled.compareAndSet(false, true)) {
      failures.computeIfAbsent(why, k -> new LongAdder()).increment();
      finish(System.nanoTime());
    }
  }

  private void finish(long now) {
    lastSettled.accumulateAndGet(now, Math::max);
    inFlight.release();
    settled.countDown();
  }

  /** Freezes the histograms; call once, after the batch. */
  void close() {
    joinHistogram = joinToWelcome.getIntervalHistogram();
    connectHistogram = connectToWelcome.getIntervalHistogram();
  }

  Histogram joinLatencies() {
    return joinHistogram;
  }

  Histogram connectLatencies() {
    return connectHistogram;
  }

  /** First connect to last outcome. */
  long nanos() {
    return Math.max(0, lastSettled.get() - started);
  }

  long joinsPerSecond() {
    return Latency.perSecond(joined.get(), nanos());
  }

  ObjectNode toJson() {
    return JoinOutcome.of(this).toJson();
  }
}
