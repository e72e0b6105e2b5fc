package dev.waterfall.relay.peer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time of this JVM's threads, by thread name, from /proc/self/task: libwebrtc's native threads
 * (encoders, network) are invisible to ThreadMXBean, so the realtime forwarding tests read the
 * kernel's figures.
 */
public final class ThreadCpu {
  /**
   * Seconds a window lasts when the tests only check that media flows; `-Dwaterfall.measure=true`
   * for figures.
   */
  static final int CHECK_WINDOW_S = 4;

  private ThreadCpu() {}

  /**
   * A measuring window's length: {@code seconds} when the run measures (`-Dwaterfall.measure=true`,
   * the figures docs/benchmarks.md quotes), else {@link #CHECK_WINDOW_S}: a test run checks that
   * media flows, and its CPU figures are only printed, so it need not wait out windows long enough
   * to be quoted.
   */
  public static int window(int seconds) {
    return Boolean.getBoolean("waterfall.measure") ? seconds : Math.min(seconds, CHECK_WINDOW_S);
  }

  /** CPU ms per thread name (trailing digits folded to '#') spent over the next {@code seconds}. */
  public static Map<String, Long> over(int seconds) throws Exception {
    Map<String, Long> a = now();
    Thread.sleep(seconds * 1000L);
    Map<String, Long> b = now();
    Map<String, Long> d = new TreeMap<>();
    b.forEach((k, v) -> d.put(k, v - a.getOrDefault(k, 0L)));
    return d;
  }

  /** utime+stime in ms so far, summed by thread name (clock ticks are 10 ms here). */
  static Map<String, Long> now() throws IOException {
    Map<String, Long> m = new TreeMap<>();
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path t : (Iterable<Path>) tasks::iterator) {
        try {
          String s = Files.readString(t.resolve("stat"));
          String name =
              s.substring(s.indexOf('(') + 1, s.lastIndexOf(')')).replaceAll("[0-9]+$", "#");
          String[] rest = s.substring(s.lastIndexOf(')') + 2).split(" ");
          m.merge(name, (Long.parseLong(rest[11]) + Long.parseLong(rest[12])) * 10, Long::sum);
        } catch (IOException | RuntimeException e) {
          // the thread ended meanwhile
        }
      }
    }
    return m;
  }
}
