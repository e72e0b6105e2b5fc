package dev.waterfall.loadtest.tree;

import dev.waterfall.coordinator.cluster.Outcomes;
import dev.waterfall.loadtest.report.Latency;
import dev.waterfall.loadtest.run.Deadline;
import dev.waterfall.loadtest.run.Progress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;

/**
 * Joins through {@code IMap.executeOnKey(stream, Join)}: one caller (latency) or several
 * (throughput).
 */
final class HazelcastJoins {
  private HazelcastJoins() {}

  /**
   * {@code n} joins into {@code stream}, one at a time from this thread; ids are {@code prefix +
   * i}. The clock runs per call, so each figure is one entry processor's round trip through the
   * partition thread.
   */
  static JoinRun sequential(
      Member m, String stream, String prefix, int n, Progress progress, Deadline deadline) {
    Histogram h = Latency.histogram();
    List<String> depthOne = new ArrayList<>();
    int maxDepth = 0;
    int done = 0;
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      String id = prefix + i;
      long t0 = System.nanoTime();
      Outcomes.Joined j = m.join(stream, id, i);
      h.recordValue(System.nanoTime() - t0);
      if (j.depth() == 1) {
        depthOne.add(id);
      }
      maxDepth = Math.max(maxDepth, j.depth());
      done++;
      if ((i & 1023) == 1023) {
        progress.add(1024);
        if (deadline.passed()) {
          break;
        }
      }
    }
    return new JoinRun(done, System.nanoTime() - start, h, depthOne, maxDepth);
  }

  /**
   * {@code n} joins split over {@code threads} callers. With one stream they all queue on the
   * partition that owns it (the tree is one entry), so this shows how much the caller-side overhead
   * overlaps; with {@code separateStreams} each thread has its own stream and partition, the
   * member's aggregate capacity.
   */
  static JoinRun concurrent(
      Member m,
      String stream,
      int n,
      int threads,
      boolean separateStreams,
      Progress progress,
      Deadline deadline)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    AtomicInteger maxDepth = new AtomicInteger();
    try {
      List<Callable<Histogram>> tasks = new ArrayList<>();
      int per = n / threads;
      for (int t = 0; t < threads; t++) {
        String target = separateStreams ? stream + "-" + t : stream;
        String prefix = "t" + t + "-";
        tasks.add(
            () -> {
              Histogram h = Latency.histogram();
              for (int i = 0; i < per; i++) {
                long t0 = System.nanoTime();
                Outcomes.Joined j = m.join(target, prefix + i, i);
                h.recordValue(System.nanoTime() - t0);
                maxDepth.accumulateAndGet(j.depth(), Math::max);
                if ((i & 1023) == 1023) {
                  progress.add(1024);
                  if (deadline.passed()) {
                    break;
                  }
                }
              }
              return h;
            });
      }
      long start = System.nanoTime();
      List<Future<Histogram>> results = pool.invokeAll(tasks);
      long nanos = System.nanoTime() - start;
      Histogram all = Latency.histogram();
      for (Future<Histogram> f : results) {
        all.add(f.get());
      }
      return new JoinRun((int) all.getTotalCount(), nanos, all, List.of(), maxDepth.get());
    } finally {
      pool.shutdownNow();
    }
  }
}
