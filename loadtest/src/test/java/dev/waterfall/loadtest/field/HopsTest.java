package dev.waterfall.loadtest.field;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class HopsTest {
  @Test
  void aPagesLoadsSplitBySourceWithTheirLatenessBehindTheOrigin() throws Exception {
    JsonNode state =
        new ObjectMapper()
            .readTree(
                """
        {"p2p": {"error": null, "linkTimeouts": 2, "relayOnlyLinks": 1, "loads": [
          {"sn": 1, "via": "http", "ms": 80},
          {"sn": 2, "via": "store", "behind": {"asked": 1500, "header": 40, "complete": 400, "done": 1501}},
          {"sn": 3, "via": "store", "behind": {"asked": 1600, "header": 60, "complete": 900, "done": 1602}},
          {"sn": 4, "via": "store-late", "behind": {"asked": 1700, "header": 700, "complete": 2500, "done": 2501}},
          {"sn": 5, "via": "http", "behind": {"asked": 1700, "header": 2000, "complete": -1, "done": 3100}}],
          "links": {"parent": {"id": "P", "gathered": {"host": 2, "relay": 1}}}}}
        """);
    JsonNode h = Hops.summary(state);
    assertThat(h.path("loadsBy").path("store").asInt()).isEqualTo(2);
    assertThat(h.path("loadsBy").path("http").asInt()).isEqualTo(2);
    assertThat(h.path("loadsBy").path("store-late").asInt()).isEqualTo(1);
    // The store's loads only for header and complete (an HTTP load's store copy is not what it
    // played).
    assertThat(h.path("msBehindOrigin").path("complete").path("count").asInt()).isEqualTo(3);
    assertThat(h.path("msBehindOrigin").path("complete").path("p50").asDouble()).isEqualTo(900);
    assertThat(h.path("msBehindOrigin").path("played").path("count").asInt()).isEqualTo(4);
    assertThat(h.path("msBehindOrigin").path("played").path("p95").asDouble()).isEqualTo(3100);
    assertThat(h.path("linkTimeouts").asInt()).isEqualTo(2);
    assertThat(h.path("relayOnlyLinks").asInt()).isEqualTo(1);
    assertThat(h.path("parentLinkGathered").path("relay").asInt()).isEqualTo(1);
  }
}
