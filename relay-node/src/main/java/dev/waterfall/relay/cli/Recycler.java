package dev.waterfall.relay.cli;

import dev.waterfall.relay.Relay;
import dev.waterfall.relay.peer.PeerFactory;
import io.vertx.core.Vertx;

/**
 * The bound on webrtc-java 0.14.0's native leak (~70 KB per closed peer connection,
 * docs/benchmarks.md "soak"): once the process has made {@code afterLinks} connections, the booster
 * hands its children over ({@link Relay#drain}: 0 slots, each child keeps its old link until its
 * new one carries data) and then {@code exit} runs, for the service manager (systemd's
 * Restart=always) to start a fresh process that joins as a new booster.
 */
public final class Recycler {
  /**
   * How long a recycling booster waits for the coordinator to move its children before it goes
   * anyway.
   */
  public static final long DRAIN_MS = 30_000;

  private static final long CHECK_MS = 2000;

  private Recycler() {}

  public static void start(
      Vertx vertx, PeerFactory peers, Relay booster, long afterLinks, Runnable exit) {
    vertx.setPeriodic(
        CHECK_MS,
        t -> {
          long made = peers.linksMade();
          if (made < afterLinks) {
            return;
          }
          vertx.cancelTimer(t);
          System.out.println(
              "Waterfall booster recycling after "
                  + made
                  + " peer connections: handing its "
                  + booster.node().children()
                  + " children over, then exiting for a fresh process");
          booster.drain(DRAIN_MS).onComplete(x -> exit.run());
        });
  }
}
