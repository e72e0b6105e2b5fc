package dev.waterfall.relay.cli;

import dev.waterfall.relay.Relay;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code waterfall boost}: a self-hosted relay on a spare machine, near the root of the tree. */
@Command(name = "boost", mixinStandardHelpOptions = true,
    description = "Run a relay booster: takes the stream from its parent and feeds up to 4 children.")
public final class BoostCommand implements Callable<Integer> {
  @Mixin
  RelayOptions relay;

  @Option(names = "--token", required = true, defaultValue = "${env:WATERFALL_BOOSTER_TOKEN}",
      description = "Booster token from POST /api/booster-tokens (or WATERFALL_BOOSTER_TOKEN).")
  String token;

  @Option(names = "--http-port", defaultValue = "-1",
      description = "Serve /hls/<stream>/… here too, sharing the fallback load (default: off).")
  int httpPort;

  @Option(names = "--recycle-after-links", defaultValue = "0", paramLabel = "N",
      description = "After N peer connections, hand the children over and exit 0 for the service manager to start "
          + "a fresh process: webrtc-java 0.14.0 keeps ~70 KB of native memory per closed connection "
          + "(default: 0, never; the .deb's service: 2000).")
  long recycleAfterLinks;

  /** How long a recycling booster waits for the coordinator to move its children before it goes anyway. */
  private static final long DRAIN_MS = 30_000;

  @Override
  public Integer call() throws Exception {
    Running running = new Running(relay.links());
    try {
      Relay booster = running.add(Relay.startBooster(running.vertx, running.peers, relay.toOptions(token, httpPort)));
      System.out.println("Waterfall booster " + booster.node().nodeId() + " relaying '" + relay.stream + "'"
          + (booster.httpPort() > 0 ? "; HLS at " + relay.scheme() + "://" + relay.httpHost + ":" + booster.httpPort() + "/hls/"
          + relay.stream + "/index.m3u8" : ""));
      if (recycleAfterLinks > 0) {
        recycleAfter(running, booster);
      }
    } catch (Exception e) {
      running.stop();
      throw e;
    }
    running.untilStopped();
    return 0;
  }

  /**
   * The leak bound: once the process has made {@code --recycle-after-links} connections, the booster asks for no
   * children, waits until the coordinator has moved them (each keeps its old link until its new one carries data)
   * and exits; systemd's Restart=always starts a fresh process, which joins as a new booster.
   */
  private void recycleAfter(Running running, Relay booster) {
    running.vertx.setPeriodic(2000, t -> {
      long made = running.peers.linksMade();
      if (made < recycleAfterLinks) {
        return;
      }
      running.vertx.cancelTimer(t);
      System.out.println("Waterfall booster recycling after " + made + " peer connections: handing its "
          + booster.node().children() + " children over, then exiting for a fresh process");
      booster.drain(DRAIN_MS).onComplete(x -> running.exit());
    });
  }
}
