package dev.waterfall.loadtest.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.report.Series;
import dev.waterfall.loadtest.report.Target;
import org.junit.jupiter.api.Test;

/** The report's rounding: figures to their decimals, and a figure with nothing to measure. */
class SimulateScenarioTest {

  @Test
  void roundsToTheGivenDecimals() {
    assertThat(SimulateScenario.round(0.9959637, 6)).isEqualTo(0.995964);
    assertThat(SimulateScenario.round(57.25, 1)).isEqualTo(57.3);
    assertThat(SimulateScenario.round(4.0, 3)).isEqualTo(4.0);
  }

  @Test
  void nanStaysNanSoATargetFedItIsMissed() {
    assertThat(SimulateScenario.round(Double.NaN, 1)).isNaN();
    assertThat(Target.atMost("x", SimulateScenario.round(Double.NaN, 3), 4.5, "").met()).isFalse();
  }

  @Test
  void nanGoesIntoTheJsonReportAsNullAndReadsBackAsAGap() throws Exception {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.set("withholderMeanHoldingSeconds", SimulateScenario.rounded(Double.NaN, 1));
    o.set("offload", SimulateScenario.rounded(0.9959637, 6));

    String json = new ObjectMapper().writeValueAsString(o);

    assertThat(json).isEqualTo("{\"withholderMeanHoldingSeconds\":null,\"offload\":0.995964}");
    ObjectNode read = (ObjectNode) new ObjectMapper().readTree(json);
    assertThat(
            Series.of(
                JsonNodeFactory.instance.arrayNode().add(read), "withholderMeanHoldingSeconds"))
        .containsExactly(Double.NaN);
  }
}
