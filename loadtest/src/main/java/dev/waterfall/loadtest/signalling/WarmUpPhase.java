package dev.waterfall.loadtest.signalling;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.kit.clients.Fleet;
import dev.waterfall.loadtest.kit.clients.JoinBatch;
import dev.waterfall.loadtest.kit.processes.ProcStat;
import dev.waterfall.loadtest.report.Latency;
import dev.waterfall.loadtest.run.Deadline;
import dev.waterfall.loadtest.run.Progress;
import dev.waterfall.testkit.process.CoordinatorProcess;
import java.util.List;
import java.util.Map;

/**
 * Joins {@code warmup} viewers into a throwaway stream, {@code chunk} sockets at a time (closed
 * after each chunk, so file descriptors do not pile up). A cold coordinator spends most of a core
 * in the JIT compiler for tens of seconds; measured this way, the figures are the steady state's.
 * The warm-up looks like the measured phase (an origin connected, every node heart-beating,
 * /metrics scraped), else the JIT recompiles at the switch (measured: ~0.5 core of the coordinator
 * and 0.4 of the client compiling during the first measured batch). Past {@code warmup}, chunks go
 * on while the coordinator's compiler threads still used over {@value #QUIET_JIT_CORES} cores in
 * the last chunk, up to {@code max} joins. The chunks run where the measured nodes will (this JVM
 * or the client processes), so their JIT warms too.
 */
record WarmUpPhase(int warmup, int chunk, int max) {
  static final double QUIET_JIT_CORES = 0.15;

  ObjectNode run(Coordinators coordinators, Clients clients, Progress progress, Deadline deadline)
      throws Exception {
    CoordinatorProcess coordinator = coordinators.first();
    String stream = "warmup";
    String publishKey = coordinator.createStream(stream);
    int joined = 0;
    long start = System.nanoTime();
    double serverCpu0 = coordinators.cpuSeconds();
    double lastJit = -1;
    int done = 0;
    try (Fleet origin = Fleet.staying(List.of(coordinator.baseUrl()), 1)) {
      JoinBatch o =
          origin.join("warm-up origin", stream, "origin", publishKey, 1, 1, progress, deadline);
      long interval = o.heartbeatIntervalMs > 0 ? o.heartbeatIntervalMs : 2000;
      origin.startHeartbeats(interval, 10);
      List<CoordinatorProcess> all = coordinators.all();
      while (!deadline.passed() && (done < warmup || done < max && lastJit > QUIET_JIT_CORES)) {
        int n = done < warmup ? Math.min(chunk, warmup - done) : chunk;
        List<Map<String, Double>> threads0 =
            all.stream().map(c -> ProcStat.cpuSecondsByThread(c.pid())).toList();
        double[] cpu0 = coordinators.cpuSecondsEach();
        long t0 = System.nanoTime();
        joined +=
            clients
                .joinAndClose(
                    "warm-up " + (done + n) + "/" + Math.max(warmup, done + n),
                    stream,
                    n,
                    interval,
                    progress,
                    deadline)
                .joined();
        // The measurement scrapes /metrics and /health between batches; through the same Netty and
        // router code as the WebSocket upgrades, so they are part of the profile the JIT must have
        // seen.
        for (CoordinatorProcess c : all) {
          c.metrics();
          c.health();
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        // The busiest compiler among the coordinators decides: each must be warm.
        lastJit = 0;
        for (int i = 0; i < all.size(); i++) {
          long pid = all.get(i).pid();
          lastJit =
              Math.max(
                  lastJit,
                  ProcStat.jitCores(
                      ProcStat.coresByThread(
                          threads0.get(i),
                          ProcStat.cpuSecondsByThread(pid),
                          wall,
                          ProcStat.cpuSeconds(pid) - cpu0[i])));
        }
        done += n;
      }
    }
    long nanos = System.nanoTime() - start;
    // The stream is left in place (only its root remains): deleting it ran new Hazelcast operation
    // types through the join path's shared call sites, and the JIT recompiled them during the
    // measured batch.
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("joins", joined);
    o.put("seconds", CpuWindow.round2(nanos / 1e9));
    o.put("joinsPerSecondIncludingCloses", Latency.perSecond(joined, nanos));
    o.put(
        "coordinatorCpuCores",
        CpuWindow.round2((coordinators.cpuSeconds() - serverCpu0) / (nanos / 1e9)));
    o.put("coordinatorJitCoresLastChunk", CpuWindow.round2(lastJit));
    return o;
  }
}
