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

  @Override
  public Integer call() throws Exception {
    Running running = new Running(relay.links());
    try {
      Relay booster = running.add(Relay.startBooster(running.vertx, running.peers, relay.toOptions(token, httpPort)));
      System.out.println("Waterfall booster " + booster.node().nodeId() + " relaying '" + relay.stream + "'"
          + (booster.httpPort() > 0 ? "; HLS at " + relay.scheme() + "://" + relay.httpHost + ":" + booster.httpPort() + "/hls/"
          + relay.stream + "/index.m3u8" : ""));
    } catch (Exception e) {
      running.stop();
      throw e;
    }
    running.untilStopped();
    return 0;
  }
}
