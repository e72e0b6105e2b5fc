package dev.waterfall.loadtest.field;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class WithholderWatchTest {
  private static JsonNode tree(String nodes) throws Exception {
    return new ObjectMapper().readTree("{\"nodes\": [" + nodes + "]}");
  }

  @Test
  void followsAWithholdersChildrenUntilTheyAreMovedAway() throws Exception {
    WithholderWatch watch = new WithholderWatch(java.util.List.of("W"));
    watch.sample(0, tree("{\"id\": \"W\", \"children\": [], \"capacity\": 4, \"depth\": 1}"));
    watch.sample(
        2, tree("{\"id\": \"W\", \"children\": [\"a\", \"b\"], \"capacity\": 4, \"depth\": 1}"));
    watch.sample(
        4, tree("{\"id\": \"W\", \"children\": [\"a\", \"b\"], \"capacity\": 4, \"depth\": 1}"));
    watch.sample(6, tree("{\"id\": \"W\", \"children\": [\"b\"], \"capacity\": 4, \"depth\": 1}"));
    // demoted: moved under a deeper parent, no room for children
    watch.sample(8, tree("{\"id\": \"W\", \"children\": [], \"capacity\": 0, \"depth\": 3}"));
    watch.sample(10, tree("{\"id\": \"X\", \"children\": [], \"capacity\": 4, \"depth\": 1}"));

    JsonNode w = watch.json().get(0);
    assertThat(w.path("nodeId").asText()).isEqualTo("W");
    assertThat(w.path("maxChildren").asInt()).isEqualTo(2);
    // 2 children for 2 s, 2 for 2 s, 1 for 2 s
    assertThat(w.path("childSeconds").asLong()).isEqualTo(10);
    assertThat(w.path("firstChildAtS").asDouble()).isEqualTo(2);
    assertThat(w.path("lastChildAtS").asDouble()).isEqualTo(6);
    assertThat(w.path("childrenAtEnd").asInt()).isZero();
    // only the samples where something changed: 0, 2, 6, 8 (demoted), 10 (gone)
    assertThat(w.path("changes").size()).isEqualTo(5);
    assertThat(w.path("changes").get(3).path("depth").asInt()).isEqualTo(3);
    assertThat(w.path("changes").get(4).path("inTree").asBoolean()).isFalse();
  }

  @Test
  void aWithholderNeverGivenChildrenHasNoChildTimes() throws Exception {
    WithholderWatch watch = new WithholderWatch(java.util.List.of("W"));
    watch.sample(0, tree("{\"id\": \"W\", \"children\": [], \"capacity\": 4, \"depth\": 2}"));
    watch.sample(2, null); // the coordinator did not answer: no sample
    JsonNode w = watch.json().get(0);
    assertThat(w.path("maxChildren").asInt()).isZero();
    assertThat(w.has("firstChildAtS")).isFalse();
    assertThat(w.path("changes").size()).isEqualTo(1);
  }

  @Test
  void stalledShareIsStalledTimeOverWatchTime() {
    assertThat(WithholderWatch.stalledShare(1_500, 150_000)).isEqualTo(0.01);
    assertThat(WithholderWatch.stalledShare(0, 0)).isNaN();
  }

  @Test
  void withholdersTakeTheRoomiestHomesNotTheViewers() {
    Profile p = Profile.residential();
    assertThat(FieldScenario.withholderHome(p, 0)).isSameAs(p.viewers().get(7));
    assertThat(FieldScenario.withholderHome(p, 1)).isSameAs(p.viewers().get(6));
  }
}
