package dev.waterfall.coordinator;

import dev.waterfall.protocol.config.ConfigException;
import picocli.CommandLine;

/**
 * How every Waterfall command line fails: a sentence, not a stack trace. Bad settings exit with 78
 * (EX_CONFIG), a wrong flag with 2 (picocli prints the usage), a refused start (a port taken,
 * ffmpeg missing) with 1.
 */
public final class Cli {
  private Cli() {}

  public static int execute(Object command, String... args) {
    CommandLine cli = new CommandLine(command);
    cli.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          if (e instanceof ConfigException) {
            cmd.getErr().println("waterfall: configuration error: " + e.getMessage());
            return ConfigException.EXIT_CODE;
          }
          if (e instanceof IllegalArgumentException
              || e instanceof IllegalStateException
              || e instanceof java.net.BindException) {
            cmd.getErr().println("waterfall: " + e.getMessage());
            return 1;
          }
          throw e;
        });
    return cli.execute(args);
  }
}
