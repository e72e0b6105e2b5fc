package dev.waterfall.loadtest.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.browsers.BrowsersScenario;
import dev.waterfall.loadtest.failover.FailoverScenario;
import org.junit.jupiter.api.Test;

class HeadlineTest {
  private static ObjectNode object() {
    return JsonNodeFactory.instance.objectNode();
  }

  @Test
  void aScenarioHeadlinesTheCommonFiguresItsFiguresHoldAtTheTop() {
    // browsers writes these at the top of its figures and has no headline of its own
    ObjectNode figures = object();
    figures.put("viewers", 4).put("bitrateKbps", 1500).put("originEgressRatio", 1.2);
    figures.put("offload", 0.7).put("maxDepth", 2).put("stalls", 0);
    figures.putObject("firstFrame").put("viewers", 9).put("joinP99Ms", 5);
    figures.put("chainPages", 3);
    ObjectNode common = object();

    new BrowsersScenario().headlineFor(figures, common);

    assertThat(common.properties())
        .extracting(e -> e.getKey())
        .containsExactly(
            "viewers", "bitrateKbps", "originEgressRatio", "offload", "maxDepth", "stalls");
    assertThat(common.path("viewers").asInt()).isEqualTo(4);
  }

  @Test
  void aScenarioWithItsOwnHeadlineAddsToTheCommonOnes() {
    ObjectNode figures = object();
    figures.put("viewers", 100).put("continuity", 1.0);
    ObjectNode failover = figures.putObject("joins").putObject("failover");
    failover.put("joinsPerSecond", 12.5).putObject("joinToWelcome").put("p99Ms", 40);
    ObjectNode common = object();

    new FailoverScenario().headlineFor(figures, common);

    assertThat(common.toString())
        .isEqualTo("{\"viewers\":100,\"continuity\":1.0,\"joinsPerSecond\":12.5,\"joinP99Ms\":40}");
  }
}
