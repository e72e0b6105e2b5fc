package dev.waterfall.loadtest.kit.processes;

import dev.waterfall.loadtest.kit.relays.RelayRig;
import dev.waterfall.relay.Relay;
import dev.waterfall.relay.cli.Recycler;
import dev.waterfall.relay.peer.PeerFactory;
import dev.waterfall.relay.store.SegmentStatus;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One booster in a JVM of its own, for relay-tree: the scenario starts it as a child process and
 * kills it with SIGKILL (a crash: nothing says goodbye). It reports on stdout, one event per line,
 * wall-clock milliseconds:
 *
 * <pre>
 *   joined NODE MS          parent PARENT|- MS          flow PARENT MS (first bytes from a new parent)
 *   seg SEQ COMPLETE_MS     bytes FROM_PARENT FALLBACK MS
 *   links OPEN CHILDREN MS  (peer links not yet torn down, children the node forwards to; for soak)
 *   exiting MS              (recycled: drained, the JVM ends with status 0)
 * </pre>
 *
 * With a 4th argument N &gt; 0 it recycles as {@code waterfall boost --recycle-after-links N} does
 * ({@link Recycler}): after N peer connections it drains, prints {@code Waterfall booster recycling
 * ...}, and exits 0 leaving the tree gracefully, for the scenario to start a fresh process as
 * systemd would. No HLS server: every fallback fetch goes to the origin, so the origin's egress
 * counts all of it. Several coordinator URLs (comma-separated) are tried in order, as a booster's
 * {@code --coordinator} list.
 */
public final class RelayHost {
  private RelayHost() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3 && args.length != 4) {
      System.err.println(
          "usage: RelayHost COORDINATOR_URL[,URL...] STREAM BOOSTER_TOKEN [RECYCLE_AFTER_LINKS]");
      System.exit(64);
    }
    RelayRig.quiet();
    PrintStream out = System.out;
    Vertx vertx = Vertx.vertx();
    PeerFactory peers = new PeerFactory();
    Relay relay =
        Relay.startBooster(
            vertx,
            peers,
            new Relay.Options(
                List.of(args[0].split(",")), args[1], args[2], "127.0.0.1", -1, null));
    String id = relay.node().nodeId();
    emit(out, "joined " + id + " " + System.currentTimeMillis());
    long recycleAfterLinks = args.length == 4 ? Long.parseLong(args[3]) : 0;
    if (recycleAfterLinks > 0) {
      recycleAfter(vertx, peers, relay, recycleAfterLinks, out);
    }
    String parent = null;
    boolean awaitingFlow = false;
    long fromParentAtChange = 0;
    long lastBytesLine = 0;
    long lastSegPoll = 0;
    Set<Long> reported = new HashSet<>();
    while (true) {
      long now = System.currentTimeMillis();
      String p = relay.node().parentId();
      long fromParent = relay.node().bytesFromParent();
      if (!Objects.equals(p, parent)) {
        parent = p;
        emit(out, "parent " + (p == null ? "-" : p) + " " + now);
        awaitingFlow = p != null;
        fromParentAtChange = fromParent;
      }
      if (awaitingFlow && fromParent > fromParentAtChange) {
        emit(out, "flow " + parent + " " + now);
        awaitingFlow = false;
      }
      if (now - lastSegPoll >= 250) {
        lastSegPoll = now;
        List<Long> seqs =
            RelayRig.sequences(relay).stream().filter(s -> !reported.contains(s)).toList();
        for (Map.Entry<Long, SegmentStatus> e : RelayRig.statuses(relay, seqs).entrySet()) {
          if (e.getValue().complete()) {
            reported.add(e.getKey());
            emit(out, "seg " + e.getKey() + " " + e.getValue().completeAtMillis());
          }
        }
      }
      if (now - lastBytesLine >= 1000) {
        lastBytesLine = now;
        emit(out, "bytes " + fromParent + " " + relay.node().bytesByFallback() + " " + now);
        emit(out, "links " + peers.openLinks() + " " + relay.node().children() + " " + now);
      }
      Thread.sleep(10);
    }
  }

  /**
   * As the product's boost command: the exit leaves the tree in a shutdown hook (what SIGTERM does
   * there), and runs on a thread of its own, since the hook waits for the event loop that calls it
   * (see relay-node's Running).
   */
  private static void recycleAfter(
      Vertx vertx, PeerFactory peers, Relay relay, long links, PrintStream out) {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  relay.close();
                  peers.close();
                  vertx.close();
                },
                "relay-host-shutdown"));
    Recycler.start(
        vertx,
        peers,
        relay,
        links,
        () ->
            new Thread(
                    () -> {
                      emit(out, "exiting " + System.currentTimeMillis());
                      System.exit(0);
                    },
                    "relay-host-exit")
                .start());
  }

  private static void emit(PrintStream out, String line) {
    out.println(line);
    out.flush();
  }
}
