package dev.waterfall.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.coordinator.streams.StreamCatalog;
import dev.waterfall.coordinator.support.TestCoordinator;
import dev.waterfall.coordinator.support.TestNode;
import dev.waterfall.coordinator.support.TreeView;
import dev.waterfall.protocol.Message;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName(
    "capacity through /ws: a viewer nobody has measured starts with few slots and earns them")
class NewcomerTest {
  private TestCoordinator coordinator;
  private Vertx vertx;
  private final List<TestNode> nodes = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    coordinator = TestCoordinator.start(); // the shipped defaults: tree.newcomerSlots=2
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    nodes.forEach(TestNode::close);
    vertx.close();
    coordinator.close();
  }

  private TestNode join(String stream, String role, String key) {
    TestNode n = TestNode.connect(vertx, coordinator.baseUrl);
    nodes.add(n);
    n.send(new Message.Join(stream, role, key, null, null));
    n.welcome = n.await(Message.Welcome.class);
    return n;
  }

  @Test
  void aNewcomerHasTwoSlotsGainsWhatItsMeasuredUplinkCarriesAndLosesThemWhenItCannot()
      throws Exception {
    String key = coordinator.createStream("newcomers"); // 3000 kbps, 4 children at most
    String token =
        coordinator.rest.admin("POST", "/api/booster-tokens", null).json().get("token").textValue();
    join("newcomers", "origin", key);
    TestNode booster = join("newcomers", "booster", token);
    TestNode viewer = join("newcomers", "viewer", null);
    assertThat(booster.welcome.capacity()).isEqualTo(4); // lent for this: all its slots at once
    assertThat(viewer.welcome.capacity()).isEqualTo(2);

    viewer.send(new Message.Heartbeat(20_000, null)); // 20 Mbit/s carries 5 copies: capped at 4
    TreeView.await(coordinator.rest, "newcomers", t -> t.node(viewer.id()).capacity() == 4);

    for (int i = 0; i < 8; i++) {
      // fills the origin, the booster and the measured viewer's slots
      join("newcomers", "viewer", null);
    }
    TreeView full = TreeView.fetch(coordinator.rest, "newcomers").assertValid();
    assertThat(full.node(viewer.id()).children()).isNotEmpty();

    // 1 Mbit/s carries none of a 3 Mbit/s stream: a leaf
    viewer.send(new Message.Heartbeat(1000, null));
    TreeView.await(coordinator.rest, "newcomers", t -> t.node(viewer.id()).children().isEmpty());
    TreeView after = TreeView.fetch(coordinator.rest, "newcomers").assertValid();
    assertThat(after.node(viewer.id()).capacity()).isZero();
    assertThat(after.size()).isEqualTo(full.size());
  }

  @Test
  void aRealtimeViewerKeepsEverySlotItsPageMeasuresNothingYet() throws Exception {
    String key =
        coordinator
            .coordinator
            .createStream(new StreamCatalog.Spec("live", null, null, null, "realtime"))
            .publishKey();
    join("live", "origin", key);
    assertThat(join("live", "viewer", null).welcome.capacity()).isEqualTo(4);
  }
}
