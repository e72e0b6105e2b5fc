package dev.waterfall.loadtest.failover;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.kit.clients.Fleet;
import dev.waterfall.loadtest.report.Latency;
import java.util.Collection;
import org.HdrHistogram.Histogram;

/**
 * The joins welcomed in one stretch of the run [from, to) (wall ms): rate and latency, for
 * before/after.
 */
record JoinWindow(String name, long fromMillis, long toMillis) {
  boolean contains(long atMillis) {
    return atMillis >= fromMillis && atMillis < toMillis;
  }

  double seconds() {
    return Math.max(0, toMillis - fromMillis) / 1000.0;
  }

  /**
   * Welcomes per second in the window and join → welcome / open → welcome of the trickle's joins in
   * it.
   */
  ObjectNode summarise(Collection<Fleet.JoinSample> samples) {
    Histogram join = Latency.histogram();
    Histogram open = Latency.histogram();
    long n = 0;
    for (Fleet.JoinSample s : samples) {
      if (s.trickle() && contains(s.atMillis())) {
        n++;
        join.recordValue(Math.max(0, s.joinNanos()));
        open.recordValue(Math.max(0, s.connectNanos()));
      }
    }
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("seconds", seconds());
    o.put("joins", n);
    o.put("joinsPerSecond", seconds() == 0 ? 0 : Math.round(n / seconds() * 10) / 10.0);
    o.set("joinToWelcome", Latency.summary(join, Latency.Unit.MILLIS));
    o.set("openToWelcome", Latency.summary(open, Latency.Unit.MILLIS));
    return o;
  }

  /**
   * Trickle welcomes per second from {@code originMillis}: counts[i] = second i, whole seconds
   * before {@code endMillis} only (a last, partial second would read as a drop).
   */
  static double[] perSecond(
      Collection<Fleet.JoinSample> samples, long originMillis, long endMillis) {
    double[] counts = new double[(int) Math.max(0, (endMillis - originMillis) / 1000)];
    for (Fleet.JoinSample s : samples) {
      long i = Math.floorDiv(s.atMillis() - originMillis, 1000);
      if (s.trickle() && i >= 0 && i < counts.length) {
        counts[(int) i]++;
      }
    }
    return counts;
  }
}
