package dev.waterfall.loadtest.signalling;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.kit.clients.RepairClock;
import dev.waterfall.loadtest.report.Latency;
import dev.waterfall.loadtest.report.Report;
import dev.waterfall.loadtest.report.Target;
import dev.waterfall.loadtest.run.Deadline;
import dev.waterfall.loadtest.run.Progress;
import org.HdrHistogram.Histogram;

/**
 * Departures of random viewers over the churn period, evenly paced (a share only close their
 * socket, the others send {@code leave} first), and as many new viewers joining at the same pace.
 * Repair latency: from a departure being sent to each of its children receiving its {@code
 * reparent} (see {@link RepairClock}).
 */
final class ChurnPhase {
  private ChurnPhase() {}

  /**
   * Departures (and arrivals) in the churn phase: {@code percentPerMinute} of {@code viewers} per
   * minute.
   */
  static long departures(int viewers, double percentPerMinute, int seconds) {
    return Math.round(viewers * percentPerMinute / 100.0 * seconds / 60.0);
  }

  static ObjectNode run(
      Coordinators coordinators,
      Clients clients,
      ChurnPlan plan,
      double percentPerMinute,
      int viewers,
      Report report,
      Progress progress,
      Deadline deadline)
      throws Exception {
    progress.phase(
        "churn " + percentPerMinute + "%/min of " + viewers + ", " + plan.seconds() + " s",
        plan.departures());
    CpuWindow cpu = CpuWindow.open(coordinators, clients);
    ChurnOutcome churn = clients.churn(plan, progress, deadline);
    cpu.close();
    RepairClock repairs = churn.repairs();
    Histogram h = repairs.latencies();

    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("seconds", CpuWindow.round2(churn.seconds()));
    o.put("departures", churn.graceful() + churn.crashed());
    o.put("leaves", churn.graceful());
    o.put("socketCloses", churn.crashed());
    if (churn.noneToPick() > 0) {
      o.put("departuresSkippedNoViewerFound", churn.noneToPick());
    }
    o.put("childrenAtDeparture", churn.childrenAtDeparture());
    o.put("moves", repairs.moves());
    o.put("otherReparents", repairs.otherReparents());
    ObjectNode repair = Latency.summary(h, Latency.Unit.MILLIS);
    if (h.getTotalCount() > 0) {
      repair.put("p95Ms", Latency.at(h, 95, Latency.Unit.MILLIS));
    }
    o.set("repair", repair);
    // The leaf leaf-swap moves into a departed node's place: its reparent names the departed node's
    // parent.
    o.put("leafMoves", repairs.leafMoves());
    Histogram leaf = repairs.leafLatencies();
    ObjectNode leafRepair = Latency.summary(leaf, Latency.Unit.MILLIS);
    if (leaf.getTotalCount() > 0) {
      leafRepair.put("p95Ms", Latency.at(leaf, 95, Latency.Unit.MILLIS));
    }
    o.set("leafRepair", leafRepair);
    o.set("arrivals", churn.arrivals().toJson());
    o.put("connectedAfter", clients.state().connected());
    // CPU up to the last repair, per second of the churn itself (the wait for the last repairs is
    // nearly idle).
    double wall = churn.seconds() > 0 ? churn.seconds() : cpu.seconds();
    o.put("coordinatorCpuCores", CpuWindow.round2(cpu.serverCpu() / wall));
    if (coordinators.size() > 1) {
      o.putPOJO("coordinatorCpuCoresEach", cpu.serverCoresEach(wall));
    }
    o.put("clientCpuCores", CpuWindow.round2(cpu.clientCpu() / wall));
    o.put(
        "method",
        "repair: nanoTime of sending the departure (leave, or closing the socket) to a child of that node"
            + " receiving reparent, the child knowing its parent from welcome and earlier reparents; moves: such"
            + " reparents; childrenAtDeparture: child-joined minus child-left the departed nodes had received;"
            + " otherReparents: nodes moved while their parent stayed (with leaf-swap, the leaf taking the departed"
            + " node's place); leafMoves/leafRepair: those of them whose new parent is a departed node's parent (the"
            + " leaf taking its place), timed from the latest such departure within 10 s; with client processes, their departures and reparents are matched"
            + " in the parent on the machine's one monotonic clock");
    if (repairs.moves() > 0) {
      report.target(
          Target.atMost(
              "repair p95 under " + percentPerMinute + "% churn/min (informative)",
              Latency.at(h, 95, Latency.Unit.MILLIS),
              1000,
              "ms"));
    }
    return o;
  }
}
