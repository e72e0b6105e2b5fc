package dev.waterfall.coordinator;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code coordinator} alone, for the processes this module's own tests start on their classpath; users run
 * every command from the one launcher jar (relay-node/launcher, {@code dev.waterfall.launcher.Main}).
 */
@Command(name = "waterfall", mixinStandardHelpOptions = true, version = "Waterfall 0.1.0",
    description = "Live streaming over a fan-out tree of viewers and relays.",
    subcommands = {CoordinatorCommand.class})
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
    PrintWriter err = spec.commandLine().getErr();
    err.println("waterfall: name a command: coordinator, publish, boost, demo or loadtest (see --help)");
    spec.commandLine().usage(err);
  }
}
