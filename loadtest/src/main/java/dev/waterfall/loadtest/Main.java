package dev.waterfall.loadtest;

import dev.waterfall.loadtest.baseline.BaselineHlsScenario;
import dev.waterfall.loadtest.browsers.BrowsersScenario;
import dev.waterfall.loadtest.failover.FailoverScenario;
import dev.waterfall.loadtest.field.FieldScenario;
import dev.waterfall.loadtest.latency.LatencyScenario;
import dev.waterfall.loadtest.realtime.RealtimeScenario;
import dev.waterfall.loadtest.relay.RelayCpuScenario;
import dev.waterfall.loadtest.relay.RelayEgressScenario;
import dev.waterfall.loadtest.relay.RelayHopsScenario;
import dev.waterfall.loadtest.relaytree.RelayTreeScenario;
import dev.waterfall.loadtest.report.RenderCommand;
import dev.waterfall.loadtest.signalling.SignallingScenario;
import dev.waterfall.loadtest.simulate.SimulateScenario;
import dev.waterfall.loadtest.soak.SoakScenario;
import dev.waterfall.loadtest.tree.TreeScenario;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code waterfall loadtest <scenario>}: each scenario is a subcommand, bounded in count and time,
 * writing {@code reports/<scenario>.json}. New scenarios are one more class in {@code subcommands}.
 */
@Command(
    name = "waterfall loadtest",
    mixinStandardHelpOptions = true,
    version = "Waterfall loadtest 0.1.0",
    description =
        "Benchmarks and load scenarios; each writes a JSON report and an HTML page with charts, and prints its targets.",
    subcommands = {
      TreeScenario.class,
      SignallingScenario.class,
      RelayHopsScenario.class,
      RelayEgressScenario.class,
      RelayCpuScenario.class,
      SimulateScenario.class,
      BaselineHlsScenario.class,
      RelayTreeScenario.class,
      BrowsersScenario.class,
      RealtimeScenario.class,
      LatencyScenario.class,
      FailoverScenario.class,
      FieldScenario.class,
      SoakScenario.class,
      RenderCommand.class,
    })
public final class Main implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String... args) {
    // The launcher may pass its own command word along ("waterfall loadtest tree").
    String[] rest =
        args.length > 0 && args[0].equals("loadtest")
            ? Arrays.copyOfRange(args, 1, args.length)
            : args;
    return new CommandLine(new Main()).execute(rest);
  }

  @Override
  public Integer call() {
    spec.commandLine()
        .getErr()
        .println(
            "waterfall loadtest: name a scenario: "
                + String.join(", ", spec.subcommands().keySet()));
    spec.commandLine().usage(spec.commandLine().getErr());
    return CommandLine.ExitCode.USAGE;
  }
}
