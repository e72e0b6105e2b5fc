package dev.waterfall.loadtest.relaytree;

import dev.waterfall.loadtest.relay.RelayRig;
import dev.waterfall.relay.Relay;
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
 * One booster in a JVM of its own, for relay-tree: the scenario starts it as a child process and kills it with
 * SIGKILL (a crash: nothing says goodbye). It reports on stdout, one event per line, wall-clock milliseconds:
 * <pre>
 *   joined NODE MS          parent PARENT|- MS          flow PARENT MS (first bytes from a new parent)
 *   seg SEQ COMPLETE_MS     bytes FROM_PARENT FALLBACK MS
 *   links OPEN CHILDREN MS  (peer links not yet torn down, children the node forwards to; for soak)
 * </pre>
 * No HLS server: every fallback fetch goes to the origin, so the origin's egress counts all of it. Several
 * coordinator URLs (comma-separated) are tried in order, as a booster's {@code --coordinator} list.
 */
public final class RelayHost {
  private RelayHost() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: RelayHost COORDINATOR_URL[,URL...] STREAM BOOSTER_TOKEN");
      System.exit(64);
    }
    RelayRig.quiet();
    PrintStream out = System.out;
    Vertx vertx = Vertx.vertx();
    PeerFactory peers = new PeerFactory();
    Relay relay = Relay.startBooster(vertx, peers,
        new Relay.Options(List.of(args[0].split(",")), args[1], args[2], "127.0.0.1", -1, null));
    String id = relay.node().nodeId();
    emit(out, "joined " + id + " " + System.currentTimeMillis());
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
        List<Long> seqs = RelayRig.sequences(relay).stream().filter(s -> !reported.contains(s)).toList();
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

  private static void emit(PrintStream out, String line) {
    out.println(line);
    out.flush();
  }
}
