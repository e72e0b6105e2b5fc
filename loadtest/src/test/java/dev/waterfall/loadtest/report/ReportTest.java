package dev.waterfall.loadtest.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
  @TempDir Path dir;

  @Test
  void writesScenarioMachineSettingsFiguresAndTargets() throws Exception {
    Report r = Report.start("tree");
    r.settings().put("sizes", "10000");
    r.figures().putObject("joins").put("joinsPerSecond", 60_000);
    r.target(Target.atLeast("joins/s", 60_000, 50_000, "joins/s"));
    r.target(Target.atMost("p99", 2.5, 1, "ms"));

    Path file = r.write(dir);

    assertThat(file).isEqualTo(dir.resolve("tree.json"));
    JsonNode json = new ObjectMapper().readTree(Files.readString(file));
    assertThat(json.get("scenario").asText()).isEqualTo("tree");
    assertThat(json.get("complete").asBoolean()).isTrue();
    assertThat(json.get("machine").get("cores").asInt()).isPositive();
    assertThat(json.get("machine").get("jvm").get("version").asText()).isNotBlank();
    assertThat(json.get("settings").get("sizes").asText()).isEqualTo("10000");
    assertThat(json.get("figures").get("joins").get("joinsPerSecond").asInt()).isEqualTo(60_000);
    assertThat(json.get("targets")).hasSize(2);
    assertThat(json.get("targets").get(0).get("met").asBoolean()).isTrue();
    assertThat(json.get("targets").get(1).get("met").asBoolean()).isFalse();
    assertThat(json.get("targets").get(1).get("comparison").asText()).isEqualTo("<=");
    // The page next to it, and no temp file left behind.
    assertThat(Files.list(dir)).containsExactlyInAnyOrder(file, dir.resolve("tree.html"));
  }

  @Test
  void incompleteRunSaysWhy() {
    Report r = new Report("signalling", Instant.EPOCH, Machine.describe());
    r.incomplete("time budget spent");
    JsonNode json = r.toJson(Instant.EPOCH.plusSeconds(3));
    assertThat(json.get("complete").asBoolean()).isFalse();
    assertThat(json.get("notes").get(0).asText()).contains("time budget spent");
    assertThat(json.get("durationSeconds").asDouble()).isEqualTo(3.0);
  }

  @Test
  void targetsCompareInTheirDirection() {
    assertThat(Target.atLeast("rate", 5_000, 5_000, "/s").met()).isTrue();
    assertThat(Target.atLeast("rate", 4_999, 5_000, "/s").met()).isFalse();
    assertThat(Target.atMost("p99", 50, 50, "ms").met()).isTrue();
    assertThat(Target.atMost("p99", 50.1, 50, "ms").met()).isFalse();
    assertThat(Target.atMost("p99", 50.1, 50, "ms").describe()).contains("MISSED").contains("≤");
    assertThat(Target.atLeast("continuity", 0.9985, 0.999, "").describe())
        .contains("0.9985")
        .contains("0.999 ")
        .contains("MISSED");
  }

  @Test
  void reportsGoNextToTheJarElseUnderTheWorkingDirectory() throws Exception {
    Path jar = Files.createFile(dir.resolve("waterfall-loadtest.jar"));
    assertThat(ReportDir.forCodeSource(jar)).isEqualTo(dir.resolve("reports"));
    assertThat(ReportDir.forCodeSource(dir))
        .isEqualTo(Path.of("loadtest/target/reports").toAbsolutePath());
    assertThat(ReportDir.forCodeSource(null))
        .isEqualTo(Path.of("loadtest/target/reports").toAbsolutePath());
    assertThat(ReportDir.locate(dir.resolve("x"))).isEqualTo(dir.resolve("x"));
  }
}
