package dev.waterfall.loadtest.signalling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.kit.clients.Fleet;
import dev.waterfall.loadtest.kit.processes.ProcStat;
import dev.waterfall.loadtest.run.Deadline;
import dev.waterfall.loadtest.run.Progress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;

/**
 * The nodes spread over K client processes ({@link ClientMain}), each with its own open-file limit:
 * each gets an equal slice of every batch and of the churn, and at most {@code concurrency / K}
 * joins in flight, so the total stays {@code --concurrency}. Each round-robins its nodes over all
 * coordinators. The origin lives here, in the parent. Their outcomes merge into one ({@link
 * JoinOutcome#merge}, {@link ChurnOutcome#merge}); their CPU is read from /proc by pid.
 */
final class ClientProcesses implements Clients {
  /**
   * Beyond the deadline, how long a client process may take to answer (closing sockets, settling
   * repairs).
   */
  private static final long GRACE_MS = 90_000;

  /**
   * How many quantities are split over the processes one by one (batch, extra batch, churn
   * arrivals).
   */
  static final int SPLITS = 3;

  private final List<ClientProcess> children = new ArrayList<>();
  private final Fleet origins;

  ClientProcesses(List<String> urls, int k, int capacity, int concurrency, String heap, Path logDir)
      throws Exception {
    this.origins = Fleet.staying(urls, 1);
    try {
      for (int i = 0; i < k; i++) {
        // Batches, extras and churn are each split with their own remainders: a slot more per
        // split, to spare.
        children.add(
            ClientProcess.start(
                urls,
                share(capacity, i, k) + SPLITS,
                Math.max(1, concurrency / k),
                heap,
                logDir.resolve("signalling-client-" + (i + 1) + ".log")));
      }
    } catch (Exception e) {
      close();
      throw e;
    }
  }

  /**
   * Client process {@code i}'s part of {@code total}: equal shares, the first ones one more when
   * uneven.
   */
  static int share(int total, int i, int k) {
    return total / k + (i < total % k ? 1 : 0);
  }

  List<Long> pids() {
    return children.stream().map(ClientProcess::pid).toList();
  }

  @Override
  public JoinOutcome joinOrigin(
      String stream, String publishKey, Progress progress, Deadline deadline) throws Exception {
    return JoinOutcome.of(
        origins.join("origin", stream, "origin", publishKey, 1, 1, progress, deadline));
  }

  @Override
  public JoinOutcome join(
      String label, String stream, int count, Progress progress, Deadline deadline)
      throws Exception {
    progress.phase(label, count);
    return JoinOutcome.merge(
        outcomes(
            ask(
                i ->
                    op("join", deadline)
                        .put("label", label)
                        .put("stream", stream)
                        .put("count", share(count, i, children.size())),
                progress,
                deadline)));
  }

  @Override
  public JoinOutcome joinAndClose(
      String label, String stream, int count, long intervalMs, Progress progress, Deadline deadline)
      throws Exception {
    progress.phase(label, count);
    return JoinOutcome.merge(
        outcomes(
            ask(
                i ->
                    op("joinAndClose", deadline)
                        .put("label", label)
                        .put("stream", stream)
                        .put("count", share(count, i, children.size()))
                        .put("intervalMs", intervalMs),
                progress,
                deadline)));
  }

  @Override
  public void startHeartbeats(long intervalMs) throws Exception {
    origins.startHeartbeats(intervalMs, 10);
    ask(i -> op("heartbeats", null).put("intervalMs", intervalMs), null, null);
  }

  @Override
  public ChurnOutcome churn(ChurnPlan plan, Progress progress, Deadline deadline) throws Exception {
    List<ChurnOutcome> parts = new ArrayList<>();
    for (JsonNode r :
        ask(
            i -> {
              ChurnPlan p = plan.slice(i, children.size());
              return op("churn", deadline)
                  .put("stream", p.stream())
                  .put("departures", p.departures())
                  .put("seconds", p.seconds())
                  .put("crashShare", p.crashShare())
                  .put("seed", p.seed());
            },
            progress,
            deadline)) {
      parts.add(ChurnOutcome.fromWire(r.get("outcome")));
    }
    return ChurnOutcome.merge(parts);
  }

  @Override
  public FleetState state() throws Exception {
    List<FleetState> parts = new ArrayList<>();
    parts.add(FleetState.of(origins));
    for (JsonNode r : ask(i -> op("state", null), null, null)) {
      parts.add(FleetState.fromWire(r.get("state")));
    }
    return FleetState.sum(parts);
  }

  @Override
  public double cpuSeconds() {
    return pids().stream().mapToDouble(ProcStat::cpuSeconds).sum();
  }

  @Override
  public Map<String, Double> cpuSecondsByThread() {
    Map<String, Double> out = new TreeMap<>();
    for (long pid : pids()) {
      ProcStat.cpuSecondsByThread(pid).forEach((k, v) -> out.merge(k, v, Double::sum));
    }
    return out;
  }

  @Override
  public int eventLoops() {
    return origins.eventLoops();
  }

  private static ObjectNode op(String name, Deadline deadline) {
    ObjectNode o = JsonNodeFactory.instance.objectNode().put("op", name);
    if (deadline != null) {
      o.put("remainingMs", deadline.remainingMillis());
    }
    return o;
  }

  /** Sends each child its command at once (they work in parallel), then collects every reply. */
  private List<JsonNode> ask(IntFunction<ObjectNode> command, Progress progress, Deadline deadline)
      throws Exception {
    for (int i = 0; i < children.size(); i++) {
      children.get(i).send(command.apply(i), progress);
    }
    long wait = (deadline == null ? 0 : deadline.remainingMillis()) + GRACE_MS;
    List<JsonNode> out = new ArrayList<>();
    for (ClientProcess c : children) {
      out.add(c.reply(wait));
    }
    return out;
  }

  private static List<JoinOutcome> outcomes(List<JsonNode> replies) {
    return replies.stream().map(r -> JoinOutcome.fromWire(r.get("outcome"))).toList();
  }

  @Override
  public void close() throws Exception {
    for (ClientProcess c : children) {
      c.requestClose(); // all close their sockets at once
    }
    for (ClientProcess c : children) {
      c.close();
    }
    origins.close();
  }
}
