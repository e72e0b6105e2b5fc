package dev.waterfall.launcher;

import dev.waterfall.coordinator.Coordinator;
import dev.waterfall.coordinator.CoordinatorOptions;
import dev.waterfall.coordinator.config.CoordinatorConfig;
import dev.waterfall.coordinator.streams.StreamCatalog;
import dev.waterfall.relay.Relay;
import dev.waterfall.relay.cli.Running;
import dev.waterfall.relay.segment.SegmentSigner;
import dev.waterfall.relay.source.SampleSource;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code waterfall demo}: a whole live stream on embedded defaults, in one process, until Ctrl-C. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run a coordinator, an origin publishing the built-in sample, and one booster; print the URLs.")
public final class DemoCommand implements Callable<Integer> {
  @Mixin
  CoordinatorOptions coordinatorOptions;

  @Option(names = "--stream", defaultValue = "demo", description = "Name of the demo stream (default: demo).")
  String stream;

  @Option(names = "--origin-port", defaultValue = "8090", description = "Origin HLS port (default: 8090).")
  int originPort;

  @Option(names = "--booster-port", defaultValue = "8091", description = "Booster HLS port (default: 8091).")
  int boosterPort;

  @Override
  public Integer call() throws Exception {
    CoordinatorConfig config = coordinatorOptions.load();
    Coordinator coordinator = Coordinator.start(config, Clock.systemUTC());
    Running running = new Running();
    running.add(coordinator::stop);
    try {
      StreamCatalog.Created created = coordinator.createStream(new StreamCatalog.Spec(stream, null, null, null));
      String host = config.http().host();
      String base = "http://" + host + ":" + coordinator.port();
      Relay origin = running.add(Relay.startOrigin(running.vertx, running.peers,
          new Relay.Options(List.of(base), stream, created.publishKey(), host, originPort, null),
          SegmentSigner.generate(), SampleSource.fromClasspath(System.currentTimeMillis() / 2000), r -> { }));
      Relay booster = running.add(Relay.startBooster(running.vertx, running.peers,
          new Relay.Options(List.of(base), stream, coordinator.issueBoosterToken(), host, boosterPort, null)));
      System.out.println();
      System.out.println("Waterfall demo is running. Ctrl-C stops it.");
      System.out.println("  watch         " + base + "/watch/" + stream + "   (the browser player: a node of the tree)");
      System.out.println("  dashboard     " + base + "/dashboard/" + stream + "   (the live tree, offload and repairs)");
      System.out.println("  HLS           http://" + host + ":" + origin.httpPort() + "/hls/" + stream + "/index.m3u8"
          + "   (origin)");
      System.out.println("                http://" + host + ":" + booster.httpPort() + "/hls/" + stream + "/index.m3u8"
          + "   (booster " + booster.node().nodeId() + ")");
      System.out.println("  tree (live)   " + base + "/api/streams/" + stream + "/tree");
      System.out.println("  coordinator   " + base + "   (health: " + base + "/health, metrics: " + base + "/metrics)");
      System.out.println("  publish key   " + created.publishKey());
      System.out.println("  admin token   " + coordinator.adminToken());
      System.out.println("  try           ffplay http://" + host + ":" + booster.httpPort() + "/hls/" + stream
          + "/index.m3u8");
      System.out.println();
    } catch (Exception e) {
      running.stop();
      throw e;
    }
    running.untilStopped();
    return 0;
  }
}
