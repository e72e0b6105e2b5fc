package dev.waterfall.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.waterfall.protocol.Message;
import dev.waterfall.protocol.SignallingClient;
import dev.waterfall.relay.Relay;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A booster the coordinator evicts (a repair found no slot for it) closes its socket and joins
 * afresh, asking again while the tree has no slot, and its HTTP server answers throughout. A real
 * coordinator, a real origin and booster; the booster's parent and the other viewers are bare
 * signalling clients, so the test decides who reports whom.
 */
@DisplayName("an evicted booster joins again on a new socket")
class RelayEvictionIT {
  @RegisterExtension static final StreamRig rig = StreamRig.perClass();
  private final List<SignallingClient> clients = new ArrayList<>();

  @Test
  void anEvictedBoosterRejoinsAndKeepsServingHttp() throws Exception {
    String key = rig.createStream("evict", 3);
    Relay origin = rig.origin("evict", key);
    // The origin's three slots: a viewer with three slots of its own, and two leaves.
    Viewer parent = viewer(true);
    Viewer leaf = viewer(false);
    viewer(false);
    // Under the parent, the only free slots: two leaves and the booster (no slots: no displacing).
    Viewer first = viewer(false);
    Viewer second = viewer(false);
    Relay booster =
        rig.add(
            Relay.startBooster(
                rig.vertx,
                rig.peers,
                new Relay.Options(
                    List.of(rig.base), "evict", rig.boosterToken(), "127.0.0.1", 0, null),
                0));
    String evictedId = booster.node().nodeId();
    assertThat(first.welcome.parent()).isEqualTo(parent.welcome.nodeId());
    assertThat(node(evictedId).get("parent").textValue()).isEqualTo(parent.welcome.nodeId());
    awaitPlaylist(booster);

    // Two of its children say it withholds everything: demoted to a leaf, its three children
    // have nowhere to go (the tree is full) and are evicted, the booster with them.
    first.client.send(new Message.Report(parent.welcome.nodeId(), "starving", "nothing", 0.0));
    second.client.send(new Message.Report(parent.welcome.nodeId(), "starving", "nothing", 0.0));

    // While the tree is full the booster's fresh joins get no-slot; its HTTP answers all along.
    long deadline = System.currentTimeMillis() + 30_000;
    int answered = 0;
    while (node(evictedId) != null && System.currentTimeMillis() < deadline) {
      answered += playlistStatus(booster) == 200 ? 1 : 0;
      Thread.sleep(100);
    }
    assertThat(node(evictedId)).as("evicted from the tree").isNull();
    for (int i = 0; i < 20; i++) {
      assertThat(playlistStatus(booster)).as("HTTP while out of the tree").isEqualTo(200);
      answered++;
      Thread.sleep(100);
    }

    // A slot opens: the booster's next ask takes it, as a new node on a new socket.
    leaf.client.close();
    deadline = System.currentTimeMillis() + 30_000;
    String again = null;
    while (System.currentTimeMillis() < deadline) {
      again = booster.node().nodeId();
      if (again != null && !again.equals(evictedId) && node(again) != null) {
        break;
      }
      assertThat(playlistStatus(booster)).as("HTTP while rejoining").isEqualTo(200);
      Thread.sleep(100);
    }
    assertThat(again).as("joined again under a new id").isNotNull().isNotEqualTo(evictedId);
    JsonNode rejoined = node(again);
    assertThat(rejoined).as("in the tree: " + tree()).isNotNull();
    assertThat(rejoined.get("role").textValue()).isEqualTo("booster");
    assertThat(rejoined.get("parent").textValue()).isEqualTo(origin.node().nodeId());
    assertThat(rejoined.get("connected").booleanValue()).isTrue();
    assertThat(answered).isPositive();
  }

  private record Viewer(SignallingClient client, Message.Welcome welcome) {}

  /**
   * A page-like viewer that only signals: joins (with three slots, or as a leaf), heartbeats, and
   * answers nothing.
   */
  private Viewer viewer(boolean upload) throws Exception {
    SignallingClient c =
        SignallingClient.connect(rig.vertx, rig.base)
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    clients.add(c);
    CompletableFuture<Message.Welcome> welcome = new CompletableFuture<>();
    c.onMessage(
        m -> {
          if (m instanceof Message.Welcome w) {
            welcome.complete(w);
          } else if (m instanceof Message.Error e && !welcome.isDone()) {
            welcome.completeExceptionally(new AssertionError(e.code() + ": " + e.message()));
          }
        });
    // 20,000 kbps for a 1,000 kbps stream: as many slots as the stream allows (3).
    c.send(new Message.Join("evict", "viewer", null, upload, upload ? 20_000 : null));
    Message.Welcome w = welcome.get(10, TimeUnit.SECONDS);
    rig.vertx.setPeriodic(
        w.heartbeatIntervalMs(),
        t -> {
          if (c.isClosed()) {
            rig.vertx.cancelTimer(t);
          } else {
            c.send(new Message.Heartbeat(null, null));
          }
        });
    return new Viewer(c, w);
  }

  private static JsonNode tree() {
    return Http.json(rig.base + "/api/streams/evict/tree");
  }

  private static JsonNode node(String id) {
    for (JsonNode n : tree().get("nodes")) {
      if (n.get("id").textValue().equals(id)) {
        return n;
      }
    }
    return null;
  }

  private static int playlistStatus(Relay relay) {
    return Http.get(StreamRig.hls(relay, "evict") + "index.m3u8").statusCode();
  }

  private static void awaitPlaylist(Relay relay) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 40_000;
    while (playlistStatus(relay) != 200 && System.currentTimeMillis() < deadline) {
      Thread.sleep(250);
    }
    assertThat(playlistStatus(relay))
        .as("the booster serves the stream (over HTTP)")
        .isEqualTo(200);
  }
}
