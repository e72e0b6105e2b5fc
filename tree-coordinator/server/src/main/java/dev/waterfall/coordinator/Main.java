package dev.waterfall.coordinator;

import java.util.Arrays;

/**
 * {@code coordinator [options]} alone, for the processes this module's own tests start on their
 * classpath. Users run every command from the one launcher jar (relay-node/launcher, {@code
 * dev.waterfall.launcher.Main}).
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** The arguments as the launcher takes them: {@code coordinator} first. */
  public static int run(String... args) {
    if (args.length == 0 || !args[0].equals("coordinator")) {
      System.err.println(
          "waterfall: this entry point runs only `coordinator [options]`; the launcher runs the rest");
      return 2;
    }
    return Cli.execute(new CoordinatorCommand(), Arrays.copyOfRange(args, 1, args.length));
  }
}
