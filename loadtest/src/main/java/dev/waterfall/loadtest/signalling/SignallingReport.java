package dev.waterfall.loadtest.signalling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.report.Series;
import dev.waterfall.loadtest.report.SvgChart;
import java.util.List;

/**
 * The signalling report's headline figures and charts, drawn from its figures (also when
 * re-rendering).
 */
final class SignallingReport {
  private SignallingReport() {}

  static void headline(ObjectNode figures, ObjectNode common) {
    // The target is the rate with 10,000 connected: the second batch when there is one.
    JsonNode batch =
        figures.has("joinsWhileConnected")
            ? figures.get("joinsWhileConnected")
            : figures.path("joins");
    if (batch.has("joinsPerSecond")) {
      common.put(
          "viewers",
          figures.path("joins").path("joined").asInt()
              + (batch == figures.get("joinsWhileConnected") ? batch.path("joined").asInt() : 0));
      common.set("joinsPerSecond", batch.get("joinsPerSecond"));
      common.set("joinP99Ms", batch.path("joinToWelcome").get("p99Ms"));
    }
    JsonNode repair = figures.path("churn").path("repair");
    if (repair.has("p50Ms")) {
      common.set("repairP50Ms", repair.get("p50Ms"));
      common.set("repairP95Ms", repair.get("p95Ms"));
    }
  }

  static List<SvgChart> charts(ObjectNode figures) {
    List<String> batches = List.of("joins", "joinsWhileConnected");
    List<String> labels = List.of("first batch", "while the others stay connected");
    SvgChart chart = SvgChart.bars("Join latency", "batch", "ms", labels);
    for (String[] p :
        new String[][] {
          {"p50Ms", "join → welcome p50"},
          {"p99Ms", "join → welcome p99"},
          {"p999Ms", "join → welcome p99.9"}
        }) {
      chart.bar(p[1], Series.byKey(figures, batches, "joinToWelcome", p[0]));
    }
    chart.bar("connect → welcome p99", Series.byKey(figures, batches, "connectToWelcome", "p99Ms"));
    if (!figures.path("churn").path("repair").has("p50Ms")) {
      return List.of(chart);
    }
    // Repair-time distribution: departure sent → each child's reparent.
    SvgChart repair =
        SvgChart.bars(
            "Repair latency under churn", "departure → child's reparent", "ms", List.of("repair"));
    for (String[] p :
        new String[][] {{"p50Ms", "p50"}, {"p95Ms", "p95"}, {"p99Ms", "p99"}, {"maxMs", "max"}}) {
      repair.bar(p[1], Series.byKey(figures, List.of("churn"), "repair", p[0]));
    }
    return List.of(chart, repair);
  }

  /** {@code figures.end}: what the clients and the coordinators count once everything ran. */
  static FleetState end(ObjectNode figures, Clients clients, Coordinators coordinators)
      throws Exception {
    FleetState state = clients.state();
    ObjectNode end = figures.putObject("end");
    end.put("connectedAtClient", state.connected());
    end.put("sessionsAtCoordinator", coordinators.sessions());
    end.put("droppedByCoordinator", state.dropped());
    end.put("heartbeatsSent", state.heartbeatsSent());
    end.putPOJO("messagesReceived", state.received());
    return state;
  }
}
