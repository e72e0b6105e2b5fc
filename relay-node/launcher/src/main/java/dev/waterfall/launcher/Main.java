package dev.waterfall.launcher;

import dev.waterfall.coordinator.Cli;
import dev.waterfall.coordinator.CoordinatorCommand;
import dev.waterfall.relay.cli.BoostCommand;
import dev.waterfall.relay.cli.PublishCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code waterfall coordinator|publish|boost|demo}: the one entry point of the one launcher jar
 * ({@code waterfall.jar}). The coordinator and the relay each own their command; this module only
 * gathers them, so relay-node depends on the protocol and not on the coordinator server.
 */
@Command(
    name = "waterfall",
    mixinStandardHelpOptions = true,
    version = "Waterfall 0.1.0",
    description = "Live streaming over a fan-out tree of viewers and relays.",
    subcommands = {
      CoordinatorCommand.class,
      PublishCommand.class,
      BoostCommand.class,
      DemoCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  public static int run(String... args) {
    return Cli.execute(new Main(), args);
  }

  @Override
  public void run() {
    PrintWriter err = spec.commandLine().getErr();
    err.println(
        "waterfall: name a command: coordinator, publish, boost, demo or loadtest (see --help)");
    spec.commandLine().usage(err);
  }
}
