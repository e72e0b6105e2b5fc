package dev.waterfall.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.waterfall.coordinator.Coordinator;
import dev.waterfall.coordinator.config.CoordinatorConfig;
import dev.waterfall.coordinator.streams.StreamCatalog;
import dev.waterfall.protocol.config.Settings;
import dev.waterfall.relay.Relay;
import dev.waterfall.relay.peer.PeerFactory;
import dev.waterfall.relay.segment.SegmentSigner;
import dev.waterfall.relay.source.SampleSource;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("relays move to a surviving coordinator and keep their places")
class CoordinatorFailoverIT {

  private static Coordinator coordinator(int clusterPort, int otherPort, String name)
      throws Exception {
    return Coordinator.start(
        CoordinatorConfig.from(
            Settings.defaultsOnly()
                .with(
                    Map.of(
                        "http.port",
                        "0",
                        "admin.token",
                        StreamRig.ADMIN,
                        "cluster.port",
                        Integer.toString(clusterPort),
                        "cluster.members",
                        "127.0.0.1:" + otherPort,
                        "cluster.name",
                        name))),
        Clock.systemUTC());
  }

  @Test
  void relaysResumeOnTheSurvivorWhileTheStreamFlows() throws Exception {
    int portA = Http.freePort();
    int portB = Http.freePort();
    String name = "relay-failover-" + ProcessHandle.current().pid();
    Coordinator a = coordinator(portA, portB, name);
    Coordinator b = coordinator(portB, portA, name);
    Vertx vertx = Vertx.vertx();
    PeerFactory peers = new PeerFactory();
    List<Relay> relays = new ArrayList<>();
    try {
      long deadline = System.currentTimeMillis() + 30_000;
      while (b.hazelcast().getCluster().getMembers().size() < 2
          && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
      String urlA = "http://127.0.0.1:" + a.port();
      String urlB = "http://127.0.0.1:" + b.port();
      List<String> both = List.of(urlA, urlB); // everyone starts on A
      List<String> onlyA = List.of(urlA); // the boosters learn B from their welcome
      String key = a.createStream(new StreamCatalog.Spec("failover", 1000, 1, null)).publishKey();
      relays.add(
          Relay.startOrigin(
              vertx,
              peers,
              new Relay.Options(both, "failover", key, "127.0.0.1", 0, null),
              SegmentSigner.generate(),
              SampleSource.fromClasspath(System.currentTimeMillis() / 2000),
              r -> {}));
      Relay origin = relays.get(0);
      for (int i = 0; i < 2; i++) {
        relays.add(
            Relay.startBooster(
                vertx,
                peers,
                new Relay.Options(onlyA, "failover", a.issueBoosterToken(), "127.0.0.1", 0, null)));
      }
      Relay bottom = relays.get(2);
      while (StreamRig.sequences(bottom, "failover").size() < 3
          && System.currentTimeMillis() < deadline + 30_000) {
        Thread.sleep(250);
      }
      JsonNode before = Http.json(urlB + "/api/streams/failover/tree").get("nodes");
      long newestBefore = newest(bottom);

      a.stop(); // the coordinator every relay is connected to goes away

      // Each relay reconnects to B with its resume token and keeps its place; the stream never
      // stops.
      long until = System.currentTimeMillis() + 40_000;
      JsonNode after = Http.json(urlB + "/api/streams/failover/tree").get("nodes");
      while ((!allConnected(after) || newest(bottom) < newestBefore + 5)
          && System.currentTimeMillis() < until) {
        Thread.sleep(250);
        after = Http.json(urlB + "/api/streams/failover/tree").get("nodes");
      }
      assertThat(allConnected(after)).as("every relay resumed on B: " + after).isTrue();
      assertThat(ids(after)).isEqualTo(ids(before));
      for (int i = 0; i < before.size(); i++) {
        assertThat(after.get(i).get("parent")).isEqualTo(before.get(i).get("parent"));
      }
      List<Long> held = StreamRig.sequences(bottom, "failover");
      assertThat(newest(bottom)).isGreaterThanOrEqualTo(newestBefore + 5);
      for (long seq = held.get(0); seq <= held.get(held.size() - 1); seq++) {
        assertThat(held).contains(seq);
        assertThat(StreamRig.segment(bottom, "failover", seq))
            .isEqualTo(StreamRig.segment(origin, "failover", seq));
      }
    } finally {
      for (int i = relays.size() - 1; i >= 0; i--) {
        relays.get(i).close();
      }
      peers.close();
      vertx.close();
      b.stop();
      a.stop();
    }
  }

  private static boolean allConnected(JsonNode nodes) {
    for (JsonNode n : nodes) {
      if (!n.get("connected").booleanValue()) {
        return false;
      }
    }
    return nodes.size() == 3;
  }

  private static List<String> ids(JsonNode nodes) {
    List<String> out = new ArrayList<>();
    nodes.forEach(n -> out.add(n.get("id").textValue()));
    return out;
  }

  private static long newest(Relay relay) {
    List<Long> s = StreamRig.sequences(relay, "failover");
    return s.isEmpty() ? -1 : s.get(s.size() - 1);
  }
}
