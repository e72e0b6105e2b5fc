package dev.waterfall.loadtest.signalling;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.run.Progress;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/** CPU of both sides while every node heart-beats and nothing else happens. */
final class HeartbeatPhase {
  private HeartbeatPhase() {}

  static ObjectNode run(Coordinators coordinators, Clients clients, int seconds, Progress progress)
      throws Exception {
    FleetState start = clients.state();
    progress.phase("heartbeats, " + start.connected() + " nodes", seconds);
    CpuWindow cpu = CpuWindow.open(coordinators, clients);
    List<Double> gauge = new ArrayList<>();
    for (int i = 0; i < seconds; i++) {
      Thread.sleep(1000);
      // Summed over the coordinators: each gauge is a fraction of all cores.
      OptionalDouble u = coordinators.processCpuUsage();
      if (u.isPresent()) {
        gauge.add(u.getAsDouble());
      }
      progress.step();
    }
    cpu.close();
    FleetState end = clients.state();
    double secs = cpu.seconds();
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("nodes", end.connected());
    o.put("seconds", CpuWindow.round2(secs));
    o.put(
        "heartbeatsPerSecond", Math.round((end.heartbeatsSent() - start.heartbeatsSent()) / secs));
    cpu.putCores(o);
    o.putPOJO("coordinatorCoresByThread", cpu.serverCoresByThread());
    double avg = gauge.stream().mapToDouble(Double::doubleValue).average().orElse(-1);
    o.put("coordinatorProcessCpuUsage", Math.round(avg * 10000) / 10000.0);
    o.put(
        "method",
        "cpuCores: Δ(utime+stime) from /proc over the window (1.0 = one core busy);"
            + " processCpuUsage: mean of the coordinator's process_cpu_usage gauge (fraction of all cores)");
    return o;
  }
}
