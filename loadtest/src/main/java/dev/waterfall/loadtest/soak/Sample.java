package dev.waterfall.loadtest.soak;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * One reading of the booster during the run: when, which booster process (0, then 1 after the first
 * recycle...), the children's edges so far, its memory (MB, NaN where unread) and its peer links as
 * it reported them last.
 */
record Sample(
    double seconds,
    int process,
    long edgesMade,
    long edgesClosed,
    long failed,
    double rssMb,
    double rssAnonMb,
    double heapMb,
    double nmtMb,
    Map<String, Long> nmtKb,
    long boosterLinks,
    long boosterChildren) {

  static Sample of(
      double seconds, int process, EdgeCounts counts, BoosterMemory.Reading r, long[] links) {
    JvmMemory jvm = r.jvm();
    return new Sample(
        seconds,
        process,
        counts.made.get(),
        counts.closed.get(),
        counts.failed.get(),
        r.rssMb(),
        r.rssAnonMb(),
        jvm.heapUsedKb() < 0 ? Double.NaN : jvm.heapUsedKb() / 1024.0,
        jvm.nmtCommittedKb() < 0 ? Double.NaN : jvm.nmtCommittedKb() / 1024.0,
        jvm.nmtCategoriesKb(),
        links[0],
        links[1]);
  }

  void writeTo(ObjectNode o) {
    o.put("seconds", Math.round(seconds * 10) / 10.0);
    o.put("process", process);
    o.put("edgesMade", edgesMade);
    o.put("edgesClosed", edgesClosed);
    o.put("failed", failed);
    put(o, "rssMb", rssMb);
    put(o, "rssAnonMb", rssAnonMb);
    put(o, "heapLiveMb", heapMb);
    put(o, "nmtCommittedMb", nmtMb);
    put(o, "outsideNmtMb", rssMb - nmtMb);
    o.put("boosterLinks", boosterLinks);
    o.put("boosterChildren", boosterChildren);
    ObjectNode nmt = o.putObject("nmtKb");
    nmtKb.forEach(nmt::put);
  }

  private static void put(ObjectNode o, String name, double v) {
    if (!Double.isNaN(v)) {
      o.put(name, Math.round(v * 100) / 100.0);
    }
  }
}
