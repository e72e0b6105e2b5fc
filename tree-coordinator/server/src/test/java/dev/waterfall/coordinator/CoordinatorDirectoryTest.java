package dev.waterfall.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.waterfall.coordinator.support.RawSocket;
import dev.waterfall.coordinator.support.TestCoordinator;
import dev.waterfall.coordinator.support.TestNode;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("coordinators know each other's public URLs through Hazelcast and tell every node")
class CoordinatorDirectoryTest {
  private final Vertx vertx = Vertx.vertx();
  private TestCoordinator a;
  private TestCoordinator b;

  @AfterEach
  void stop() {
    vertx.close();
    if (b != null) {
      b.close();
    }
    if (a != null) {
      a.close();
    }
  }

  @Test
  void welcomesListTheLiveCoordinatorsAndAPageFromAnotherOneMayConnect() throws Exception {
    a = TestCoordinator.start(Map.of());
    // B announces the URL a proxy in front of it would have; trailing slash dropped.
    b = a.startPeer(Map.of("http.publicUrl", "https://b.example.org:8443/"));
    List<String> both = List.of(a.baseUrl, "https://b.example.org:8443");
    awaitUrls(a, both);
    awaitUrls(b, both);
    assertThat(a.rest.get("/health").json().get("coordinators").toString())
        .isEqualTo("[\"" + a.baseUrl + "\",\"https://b.example.org:8443\"]");

    String key = a.createStream("live");
    TestNode origin = TestNode.join(vertx, a.baseUrl, "live", "origin", key);
    assertThat(origin.welcome.coordinators()).isEqualTo(both);

    // A page served by A (its Origin) opens /ws on B: accepted, as any page's is
    // (docs/security.md).
    try (RawSocket page = RawSocket.connect(vertx, b.baseUrl, Map.of("Origin", a.baseUrl))) {
      page.send("{\"v\":1,\"type\":\"join\",\"stream\":\"live\",\"role\":\"viewer\"}");
      JsonNode welcome = page.next(10_000);
      assertThat(welcome.get("type").textValue()).as(welcome.toString()).isEqualTo("welcome");
      assertThat(welcome.get("coordinators").toString())
          .isEqualTo("[\"" + a.baseUrl + "\",\"https://b.example.org:8443\"]");
      String viewer = welcome.get("nodeId").textValue();
      JsonNode node = node(a, viewer);
      assertThat(node.get("connected").booleanValue()).isTrue();
      assertThat(node.get("coordinator").textValue()).isEqualTo("https://b.example.org:8443");
      assertThat(node(a, origin.id()).get("coordinator").textValue()).isEqualTo(a.baseUrl);

      // B leaves the cluster: A drops its URL, and B's nodes are not connected until they resume.
      b.close();
      b = null;
      awaitUrls(a, List.of(a.baseUrl));
      assertThat(node(a, viewer).get("connected").booleanValue()).isFalse();
      assertThat(node(a, viewer).get("coordinator").isNull()).isTrue();
      TestNode another = TestNode.join(vertx, a.baseUrl, "live", "viewer", null);
      assertThat(another.welcome.coordinators()).containsExactly(a.baseUrl);
      another.close();
    }
    origin.close();
  }

  private static JsonNode node(TestCoordinator c, String id) {
    for (JsonNode n : c.rest.get("/api/streams/live/tree").json().get("nodes")) {
      if (n.get("id").textValue().equals(id)) {
        return n;
      }
    }
    throw new AssertionError("no node " + id);
  }

  private static void awaitUrls(TestCoordinator c, List<String> expected)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    while (!c.coordinator.coordinatorUrls().equals(expected)
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    assertThat(c.coordinator.coordinatorUrls()).isEqualTo(expected);
  }
}
