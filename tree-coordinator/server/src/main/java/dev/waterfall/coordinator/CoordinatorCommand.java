package dev.waterfall.coordinator;

import dev.waterfall.coordinator.config.CoordinatorConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code waterfall coordinator}: run a coordinator until SIGTERM or Ctrl-C. */
@Command(
    name = "coordinator",
    mixinStandardHelpOptions = true,
    description = "Run a tree-coordinator (REST API, /ws signalling, embedded Hazelcast member).")
public final class CoordinatorCommand implements Callable<Integer> {
  @Mixin CoordinatorOptions options;

  @Override
  public Integer call() throws Exception {
    CoordinatorConfig config = options.load();
    Path tokenFile = null;
    if (config.http().adminToken().isEmpty()) {
      tokenFile = AdminTokenFile.defaultPath();
      options.adminToken = AdminTokenFile.loadOrCreate(tokenFile);
      config = options.load();
    }
    Coordinator c = Coordinator.start(config, Clock.systemUTC());
    String base =
        (config.http().tls().enabled() ? "https://" : "http://")
            + config.http().host()
            + ":"
            + c.port();
    System.out.println(
        "Waterfall coordinator listening on "
            + base
            + "  (signalling: "
            + base.replace("http", "ws")
            + "/ws, metrics: "
            + base
            + "/metrics)");
    if (tokenFile != null) {
      System.out.println(
          "Admin token: in "
              + tokenFile
              + " (readable by you only; WATERFALL_ADMIN_TOKEN sets one)");
    }
    runUntilStopped(c);
    return 0;
  }

  public static void runUntilStopped(Coordinator c) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  c.stop();
                  stopped.countDown();
                },
                "waterfall-shutdown"));
    stopped.await();
  }
}
