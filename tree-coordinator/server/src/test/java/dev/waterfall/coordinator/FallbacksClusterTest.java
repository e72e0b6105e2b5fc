package dev.waterfall.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.waterfall.coordinator.support.TestCoordinator;
import dev.waterfall.coordinator.support.TestNode;
import dev.waterfall.protocol.Message;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A stream's fallback list changed through one coordinator is what another hands out next: two real
 * coordinators in one Hazelcast cluster, real WebSockets and REST on 127.0.0.1. With a near cache
 * on the list, B answered from its copy until Hazelcast's next invalidation batch (seconds): a
 * departed booster's URL went on being handed to pages, a new booster's was missing.
 */
@DisplayName("fallback lists in a cluster")
class FallbacksClusterTest {
  private static final String SIGNING_KEY =
      "MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=";
  private static final String ORIGIN = "http://127.0.0.1:18090";
  private static final String BOOSTER = "http://127.0.0.1:18091";

  @Test
  @DisplayName("a booster's URL added or removed on A is in or out of B's answer at once")
  void aChangeOnOneCoordinatorIsSeenOnTheOtherAtOnce() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (TestCoordinator a = TestCoordinator.start(Map.of());
        TestCoordinator b = a.startPeer(Map.of())) {
      String key = a.createStream("fb-two");
      String token = a.coordinator.issueBoosterToken();
      TestNode origin = TestNode.connect(vertx, a.baseUrl);
      origin.send(new Message.Join("fb-two", "origin", key, null, null, SIGNING_KEY, ORIGIN));
      origin.await(Message.Welcome.class);
      // B reads the list once: a near cache would hold this copy from now on.
      assertThat(fallbacks(b)).containsExactly(ORIGIN);

      TestNode booster = TestNode.connect(vertx, a.baseUrl);
      booster.send(new Message.Join("fb-two", "booster", token, null, null, null, BOOSTER));
      booster.await(Message.Welcome.class);
      assertThat(fallbacks(a)).containsExactly(ORIGIN, BOOSTER);
      assertThat(fallbacks(b)).as("B, right after the join on A").containsExactly(ORIGIN, BOOSTER);

      booster.send(new Message.Leave());
      assertThat(booster.awaitClosed(5000)).isTrue();
      // The departure is recorded on A's side after the close; wait for A to say so, then ask B.
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (fallbacks(a).contains(BOOSTER) && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(fallbacks(a)).containsExactly(ORIGIN);
      assertThat(fallbacks(b)).as("B, right after the departure on A").containsExactly(ORIGIN);
      origin.close();
    } finally {
      vertx.close();
    }
  }

  /** Every source, as a relay (the admin) is given them. */
  private static List<String> fallbacks(TestCoordinator c) {
    JsonNode body = c.rest.admin("GET", "/api/streams/fb-two/fallbacks", null).json();
    List<String> urls = new ArrayList<>();
    body.get("fallbacks").forEach(u -> urls.add(u.textValue()));
    return urls;
  }
}
