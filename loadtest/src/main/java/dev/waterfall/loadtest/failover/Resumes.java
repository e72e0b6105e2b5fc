package dev.waterfall.loadtest.failover;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.kit.clients.Fleet;
import dev.waterfall.loadtest.report.Latency;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The resumes after the kill, summarised: how long, split how, on which survivor, first and last.
 */
final class Resumes {
  private Resumes() {}

  static ObjectNode summarise(Collection<Fleet.ResumeSample> resumes, long killMillis) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    Histogram all = Latency.histogram();
    Histogram reconnect = Latency.histogram();
    Histogram answer = Latency.histogram();
    Map<Integer, Long> connections = new TreeMap<>();
    Map<Integer, Histogram> bySurvivor = new TreeMap<>();
    ArrayNode each = JsonNodeFactory.instance.arrayNode();
    long sameParent = 0;
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    for (Fleet.ResumeSample r : resumes) {
      all.recordValue(Math.max(0, r.nanos()));
      reconnect.recordValue(Math.max(0, r.reconnectNanos()));
      answer.recordValue(Math.max(0, r.answerNanos()));
      connections.merge(r.attempts(), 1L, Long::sum);
      bySurvivor
          .computeIfAbsent(r.coordinator() + 1, k -> Latency.histogram())
          .recordValue(Math.max(0, r.nanos()));
      each.add(Math.round(r.nanos() / 1e5) / 10.0);
      sameParent += r.sameParent() ? 1 : 0;
      first = Math.min(first, r.atMillis());
      last = Math.max(last, r.atMillis());
    }
    o.put("resumed", resumes.size());
    o.put("resumedWithSameParent", sameParent);
    o.set("resumeMs", Latency.summary(all, Latency.Unit.MILLIS));
    if (all.getTotalCount() > 0) {
      ((ObjectNode) o.get("resumeMs")).put("p95Ms", Latency.at(all, 95, Latency.Unit.MILLIS));
    }
    o.set("droppedToSocketOpenMs", Latency.summary(reconnect, Latency.Unit.MILLIS));
    o.set("resumeSentToWelcomeMs", Latency.summary(answer, Latency.Unit.MILLIS));
    o.putPOJO("resumeConnections", connections);
    Map<Integer, Long> counts = new TreeMap<>();
    ObjectNode latencies = o.putObject("resumeMsBySurvivor");
    bySurvivor.forEach(
        (c, h) -> {
          counts.put(c, h.getTotalCount());
          latencies.set(Integer.toString(c), Latency.summary(h, Latency.Unit.MILLIS));
        });
    o.putPOJO("resumedOnCoordinator", counts);
    if (!resumes.isEmpty()) {
      o.put("firstResumeAfterKillMs", first - killMillis);
      o.put("lastResumeAfterKillMs", last - killMillis);
      o.put(
          "resumesPerSecond",
          last > first ? Math.round(resumes.size() * 1000.0 / (last - first)) : resumes.size());
    }
    o.set("resumeMsEach", each);
    return o;
  }
}
