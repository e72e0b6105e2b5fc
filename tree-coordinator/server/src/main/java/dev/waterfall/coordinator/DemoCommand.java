package dev.waterfall.coordinator;

import dev.waterfall.coordinator.config.CoordinatorConfig;
import dev.waterfall.coordinator.streams.StreamCatalog;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code waterfall demo}: everything on embedded defaults, with a ready stream, until Ctrl-C. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run a coordinator with a ready-made stream and print where to look.")
final class DemoCommand implements Callable<Integer> {
  @Mixin
  CoordinatorOptions options;

  @Option(names = "--stream", defaultValue = "demo", description = "Name of the demo stream (default: demo).")
  String stream;

  @Override
  public Integer call() throws Exception {
    CoordinatorConfig config = options.load();
    Coordinator c = Coordinator.start(config, Clock.systemUTC());
    StreamCatalog.Created created = c.createStream(new StreamCatalog.Spec(stream, null, null, null));
    String base = "http://" + config.http().host() + ":" + c.port();
    System.out.println();
    System.out.println("Waterfall demo is running. Ctrl-C stops it.");
    System.out.println("  coordinator   " + base + "   (health: " + base + "/health, metrics: " + base + "/metrics)");
    System.out.println("  signalling    " + base.replace("http", "ws") + "/ws");
    System.out.println("  stream        " + stream + "   publish key: " + created.publishKey());
    System.out.println("  tree (live)   " + base + "/api/streams/" + stream + "/tree");
    System.out.println("  admin token   " + c.adminToken());
    System.out.println("  try           curl -s " + base + "/api/streams/" + stream + "/tree");
    System.out.println();
    CoordinatorCommand.runUntilStopped(c);
    return 0;
  }
}
