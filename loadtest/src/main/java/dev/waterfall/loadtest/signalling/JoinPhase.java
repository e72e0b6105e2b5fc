package dev.waterfall.loadtest.signalling;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.kit.processes.ProcStat;
import dev.waterfall.loadtest.run.Deadline;
import dev.waterfall.loadtest.run.Progress;
import java.util.List;

/**
 * A measured join batch: its latencies, the CPU both sides spent on it, and the coordinator's
 * placement timer.
 */
final class JoinPhase {
  private JoinPhase() {}

  static JoinOutcome run(
      Coordinators coordinators,
      Clients clients,
      String label,
      String stream,
      int count,
      Progress progress,
      Deadline deadline,
      ObjectNode out,
      List<String> notes)
      throws Exception {
    List<String> before = coordinators.metrics();
    CpuWindow cpu = CpuWindow.open(coordinators, clients);
    JoinOutcome batch = clients.join(label, stream, count, progress, deadline);
    cpu.close();
    List<String> after = coordinators.metrics();
    out.setAll(batch.toJson());
    double wall = cpu.seconds();
    double serverJit = ProcStat.jitCores(cpu.serverCoresByThread());
    double clientJit = ProcStat.jitCores(cpu.clientCoresByThread());
    if (wall > 0 && serverJit + clientJit >= 0.2) {
      notes.add(
          label
              + ": the JIT compilers still used "
              + CpuWindow.round2(serverJit)
              + " (coordinator) + "
              + CpuWindow.round2(clientJit)
              + " (client) cores; not yet steady state (see --warmup)");
    }
    int joined = batch.joined();
    if (joined > 0) {
      // Per join, whatever the machine's load: what one join costs each side, JIT included (see the
      // notes).
      out.put("coordinatorCpuMsPerJoin", CpuWindow.round3(cpu.serverCpu() * 1000 / joined));
      out.put(
          "coordinatorCpuMsPerJoinExcludingJit",
          CpuWindow.round3((cpu.serverCpu() - serverJit * wall) * 1000 / joined));
      out.put(
          "coordinatorEventLoopMsPerJoin",
          CpuWindow.round3(
              CpuWindow.eventLoopCores(cpu.serverCoresByThread()) * wall * 1000 / joined));
      out.put("clientCpuMsPerJoin", CpuWindow.round3(cpu.clientCpu() * 1000 / joined));
    }
    if (wall > 0) {
      cpu.putCores(out);
      out.putPOJO("coordinatorCoresByThread", cpu.serverCoresByThread());
      out.putPOJO("clientCoresByThread", cpu.clientCoresByThread());
    }
    // Server-side: time from asking the tree for a place to getting it (entry processor round
    // trip).
    double n = Coordinators.diff(before, after, "waterfall_placement_seconds_count");
    double s = Coordinators.diff(before, after, "waterfall_placement_seconds_sum");
    if (n > 0) {
      out.put("coordinatorPlacementMeanMs", CpuWindow.round2(s / n * 1000));
    }
    return batch;
  }
}
