package dev.waterfall.relay;

import dev.waterfall.coordinator.Cli;
import dev.waterfall.relay.cli.BoostCommand;
import dev.waterfall.relay.cli.DemoCommand;
import dev.waterfall.relay.cli.PublishCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code waterfall publish|boost|demo}: the entry point of the relay jar. */
@Command(name = "waterfall", mixinStandardHelpOptions = true, version = "Waterfall 0.1.0",
    description = "Live streaming over a fan-out tree of viewers and relays.",
    subcommands = {PublishCommand.class, BoostCommand.class, DemoCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  public static int run(String... args) {
    return Cli.execute(new Main(), args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
  }
}
