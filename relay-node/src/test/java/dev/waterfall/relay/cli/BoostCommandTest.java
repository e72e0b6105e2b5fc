package dev.waterfall.relay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code boost --max-children}: its default and its range, refused before anything starts. */
@DisplayName("boost: --max-children")
class BoostCommandTest {
  private static final String[] BASE = {
    "--coordinator", "http://127.0.0.1:9", "--stream", "talk", "--token", "t"
  };

  @Test
  @DisplayName("defaults to 4, the fan-out boosters had before the option")
  void defaultsToFour() {
    BoostCommand command = new BoostCommand();
    new CommandLine(command).parseArgs(BASE);
    assertThat(command.maxChildren).isEqualTo(4);
  }

  @Test
  @DisplayName("outside 0-4: a usage error naming the option, and nothing started")
  void outOfRangeIsAUsageError() {
    for (String bad : new String[] {"5", "-1", "64"}) {
      StringWriter err = new StringWriter();
      CommandLine cli = new CommandLine(new BoostCommand()).setErr(new PrintWriter(err));
      String[] args =
          java.util.stream.Stream.concat(
                  java.util.Arrays.stream(BASE), java.util.stream.Stream.of("--max-children", bad))
              .toArray(String[]::new);
      assertThat(cli.execute(args)).as(bad).isEqualTo(2);
      assertThat(err.toString()).contains("--max-children must be 0 to 4, got " + bad);
    }
  }
}
