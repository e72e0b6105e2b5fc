package dev.waterfall.loadtest.field;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DashboardFeedTest {
  @Test
  void theFirstSnapshotWithNodesIsRead() throws Exception {
    String feed =
        """
        : hello
        event: snapshot
        data: {"stream":"field"}

        data: {"nodes":[{"id":"b","role":"booster","segmentBehindP50Ms":470}]}

        data: {"nodes":[]}
        """;
    assertThat(DashboardFeed.firstNodes(feed).get(0).path("segmentBehindP50Ms").asInt())
        .isEqualTo(470);
    assertThat(DashboardFeed.firstNodes("curl: (28) timed out")).isNull();
  }
}
