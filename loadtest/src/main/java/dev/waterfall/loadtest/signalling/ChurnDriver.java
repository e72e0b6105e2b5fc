package dev.waterfall.loadtest.signalling;

import dev.waterfall.loadtest.kit.clients.Fleet;
import dev.waterfall.loadtest.kit.clients.HeartbeatPacer;
import dev.waterfall.loadtest.kit.clients.JoinBatch;
import dev.waterfall.loadtest.kit.clients.Node;
import dev.waterfall.loadtest.run.Deadline;
import dev.waterfall.loadtest.run.Progress;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Runs a churn plan on one fleet: departures of random viewers, evenly paced, each followed by one
 * arrival; then waits for the arrivals to settle and {@value #REPAIR_SETTLE_MS} ms more for the
 * last reparents.
 */
final class ChurnDriver {
  /** How long after the last departure reparents are still waited for. */
  static final long REPAIR_SETTLE_MS = 3000;

  private ChurnDriver() {}

  static ChurnOutcome run(Fleet fleet, ChurnPlan plan, Progress progress, Deadline deadline)
      throws Exception {
    Random random = new Random(plan.seed());
    long departures = plan.departures();
    JoinBatch arrivals = new JoinBatch("churn arrivals", (int) departures, plan.concurrency());
    String joinText = Fleet.joinText(plan.stream(), "viewer", null);
    long start = System.nanoTime();
    arrivals.started = start;
    long done = 0;
    long graceful = 0;
    long crashed = 0;
    long noneToPick = 0;
    long periodNanos = plan.seconds() * 1_000_000_000L;
    while (done < departures && !deadline.passed()) {
      long due =
          Math.min(
              departures,
              1 + HeartbeatPacer.due(departures, System.nanoTime() - start, periodNanos));
      for (; done < due; done++) {
        Node v = fleet.pickDepartable(random);
        if (v == null) {
          noneToPick++;
        } else if (random.nextDouble() < plan.crashShare()) {
          fleet.depart(v, false);
          crashed++;
        } else {
          fleet.depart(v, true);
          graceful++;
        }
        // Progress steps as arrivals settle (welcome or failure).
        if (arrivals.inFlight.tryAcquire()) {
          fleet.open(arrivals, plan.stream(), joinText, false, progress::step);
        } else {
          arrivals.refused("over --concurrency in flight");
          progress.step();
        }
      }
      Thread.sleep(10);
    }
    for (long i = done; i < departures; i++) {
      arrivals.settled.countDown();
    }
    double wall = (System.nanoTime() - start) / 1e9;
    progress.phase("waiting for the last repairs", 0);
    arrivals.settled.await(
        Math.max(1, Math.min(deadline.remainingMillis(), 30_000)), TimeUnit.MILLISECONDS);
    Thread.sleep(Math.min(REPAIR_SETTLE_MS, Math.max(1, deadline.remainingMillis())));
    arrivals.close();
    return new ChurnOutcome(
        wall,
        graceful,
        crashed,
        noneToPick,
        JoinOutcome.of(arrivals),
        fleet.childrenAtDeparture(),
        fleet.repairs());
  }
}
