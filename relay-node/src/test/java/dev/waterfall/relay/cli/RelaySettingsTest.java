package dev.waterfall.relay.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.waterfall.protocol.config.ConfigException;
import dev.waterfall.protocol.config.Settings;
import dev.waterfall.relay.Relay;
import dev.waterfall.relay.RelayConfig;
import dev.waterfall.relay.node.NodeSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Relays take their timings and store limits from the one defaults file, layered as the coordinator
 * does.
 */
@DisplayName(
    "relays: the relay.* settings, from the defaults file, a user file, the environment, --set")
class RelaySettingsTest {
  @TempDir Path dir;

  @Test
  void theDefaultsFileGivesWhatRelaysRanWithBefore() {
    RelayConfig c = RelayConfig.defaults();
    assertThat(c.chunkDeadlineMs()).isEqualTo(1500);
    assertThat(c.parentSilenceMs()).isEqualTo(3000);
    assertThat(c.slowChildReportMs()).isEqualTo(3000);
    assertThat(c.store().windowMillis()).isEqualTo(30_000);
    assertThat(c.store().maxBytes()).isEqualTo(128L << 20);
    assertThat(c.store().gapTimeoutMillis()).isEqualTo(6_000);
  }

  @Test
  void aUserFileTheEnvironmentAndFlagsOverrideInThatOrder() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("w.properties"), "relay.store.windowMs=60000\nrelay.chunkDeadlineMs=900\n");
    RelayConfig c =
        RelayConfig.from(
            Settings.load(
                file,
                Map.of(
                    "WATERFALL_RELAY_CHUNK_DEADLINE_MS",
                    "1200",
                    "WATERFALL_RELAY_PARENT_SILENCE_MS",
                    "2500"),
                Map.of("relay.parentSilenceMs", "2000")));
    assertThat(c.store().windowMillis()).isEqualTo(60_000);
    assertThat(c.chunkDeadlineMs()).isEqualTo(1200);
    assertThat(c.parentSilenceMs()).isEqualTo(2000);
  }

  @Test
  void aBoostersSetFlagReachesTheNodeItRuns() {
    BoostCommand command = new BoostCommand();
    new CommandLine(command)
        .parseArgs(
            "--coordinator",
            "http://127.0.0.1:9",
            "--stream",
            "talk",
            "--token",
            "t",
            "--set",
            "relay.slowChildReportMs=5000",
            "--set",
            "relay.store.gapTimeoutMs=8000");
    Relay.Options o = command.relay.toOptions("t", -1);
    NodeSettings node =
        NodeSettings.booster(o.coordinators(), o.stream(), o.key(), null).withConfig(o.config());
    assertThat(node.slowChildReportMs()).isEqualTo(5000);
    assertThat(node.storeLimits().gapTimeoutMillis()).isEqualTo(8000);
    assertThat(node.chunkDeadlineMs()).isEqualTo(1500);
  }

  @Test
  void anUnknownKeyOrABadValueIsAConfigurationError() {
    assertThatThrownBy(
            () -> RelayConfig.from(Settings.load(null, Map.of(), Map.of("relay.nope", "1"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown setting 'relay.nope'");
    assertThatThrownBy(
            () ->
                RelayConfig.from(
                    Settings.load(null, Map.of(), Map.of("relay.parentSilenceMs", "soon"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("relay.parentSilenceMs");
  }
}
