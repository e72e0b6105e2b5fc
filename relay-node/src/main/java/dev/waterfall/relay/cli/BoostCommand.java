package dev.waterfall.relay.cli;

import dev.waterfall.protocol.Message;
import dev.waterfall.relay.Relay;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code waterfall boost}: a self-hosted relay on a spare machine, near the root of the tree. */
@Command(
    name = "boost",
    mixinStandardHelpOptions = true,
    description =
        "Run a relay booster: takes the stream from its parent and feeds up to 4 children"
            + " (--max-children).")
public final class BoostCommand implements Callable<Integer> {
  @Mixin RelayOptions relay;

  @Option(
      names = "--token",
      required = true,
      defaultValue = "${env:WATERFALL_BOOSTER_TOKEN}",
      description = "Booster token from POST /api/booster-tokens (or WATERFALL_BOOSTER_TOKEN).")
  String token;

  @Option(
      names = "--http-port",
      defaultValue = "-1",
      description = "Serve /hls/<stream>/… here too, sharing the fallback load (default: off).")
  int httpPort;

  @Option(
      names = "--recycle-after-links",
      defaultValue = "0",
      paramLabel = "N",
      description =
          "After N peer connections, hand the children over and exit 0 for the service manager to start "
              + "a fresh process: webrtc-java 0.14.0 keeps ~70 KB of native memory per closed connection "
              + "(default: 0, never; the .deb's service: 2000).")
  long recycleAfterLinks;

  @Option(
      names = "--max-children",
      defaultValue = "${env:WATERFALL_BOOSTER_MAX_CHILDREN:-4}",
      paramLabel = "N",
      description =
          "Feed at most N children, 0-4 (or WATERFALL_BOOSTER_MAX_CHILDREN; default: 4, or the"
              + " stream's own cap if lower). Each child costs the stream's bitrate of upload: size N"
              + " to this machine's uplink. 0: serve only --http-port fallback, no children.")
  int maxChildren;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (maxChildren < 0 || maxChildren > 4) {
      throw new ParameterException(
          spec.commandLine(), "--max-children must be 0 to 4, got " + maxChildren);
    }
    Running running = new Running(relay.links());
    Relay booster;
    try {
      booster =
          running.add(
              Relay.startBooster(
                  running.vertx, running.peers, relay.toOptions(token, httpPort), maxChildren));
      System.out.println(
          "Waterfall booster "
              + booster.node().nodeId()
              + " relaying '"
              + relay.stream
              + "' to at most "
              + maxChildren
              + " children"
              + (booster.httpPort() > 0
                  ? "; HLS at "
                      + relay.scheme()
                      + "://"
                      + relay.httpHost
                      + ":"
                      + booster.httpPort()
                      + "/hls/"
                      + relay.stream
                      + "/index.m3u8"
                  : ""));
      if (recycleAfterLinks > 0) {
        Recycler.start(running.vertx, running.peers, booster, recycleAfterLinks, running::exit);
      }
    } catch (Exception e) {
      running.stop();
      throw e;
    }
    Message.Error refusal = running.untilStoppedOr(booster.node().refused());
    if (refusal == null) {
      return 0;
    }
    System.err.println(Refusal.explain(relay.stream, refusal));
    return Refusal.EXIT_STATUS;
  }
}
