package dev.waterfall.loadtest.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

class OptionSettingsTest {
  enum Mode {
    FAST,
    SLOW
  }

  @Command(name = "demo", mixinStandardHelpOptions = true)
  static final class Demo {
    @Mixin ScenarioOptions common;

    @Option(names = "--churn-size", defaultValue = "100")
    int churnSize;

    @Setting("bitrateKbps")
    @Option(
        names = {"-b", "--bitrate"},
        defaultValue = "1500")
    int kbps;

    @Option(names = "--sizes", split = ",", defaultValue = "10,20")
    List<Integer> sizes;

    @Option(names = "--mode", defaultValue = "SLOW")
    Mode mode;

    @Option(names = "--share", defaultValue = "0.5")
    double share;

    @Option(names = "--jar")
    Path jar;

    @Setting(recorded = false)
    @Option(names = "--verbose")
    boolean verbose;
  }

  @Test
  void recordsEveryOptionUnderItsLongestNameOrItsSettingKey() {
    CommandLine cl = new CommandLine(new Demo());
    cl.parseArgs("--churn-size", "7", "-b", "900", "--jar", "a/b.jar", "--verbose");
    ObjectNode settings = JsonNodeFactory.instance.objectNode();
    OptionSettings.record(cl.getCommandSpec(), settings);
    assertThat(settings.toString())
        .isEqualTo(
            "{\"maxSeconds\":600,\"churnSize\":7,\"bitrateKbps\":900,"
                + "\"sizes\":[10,20],\"mode\":\"SLOW\",\"share\":0.5,\"jar\":\"a/b.jar\"}");
  }

  @Test
  void keyIsTheLongestNameInCamelCase() {
    assertThat(OptionSettings.key("--removal-size")).isEqualTo("removalSize");
    assertThat(OptionSettings.key("--seed")).isEqualTo("seed");
  }
}
