package dev.waterfall.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.waterfall.coordinator.support.RawSocket;
import dev.waterfall.coordinator.support.Rest;
import dev.waterfall.coordinator.support.TestCoordinator;
import dev.waterfall.coordinator.support.TestNode;
import dev.waterfall.coordinator.support.TreeView;
import dev.waterfall.protocol.Message;
import dev.waterfall.protocol.NodeKey;
import dev.waterfall.testkit.process.CoordinatorProcess;
import dev.waterfall.testkit.process.Ports;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM to a real coordinator process in a two-member cluster: it closes each socket with 1012
 * ("resume elsewhere") before it exits, its nodes keep their places, and they resume on the
 * survivor.
 */
@DisplayName("SIGTERM: a coordinator hands its nodes over and exits")
class GracefulShutdownTest {
  private final Vertx vertx = Vertx.vertx();
  private final List<AutoCloseable> open = new ArrayList<>();
  private CoordinatorProcess a;
  private CoordinatorProcess b;

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
    vertx.close();
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
  }

  @Test
  void sigtermClosesEverySocketWithResumeElsewhereAndKeepsThePlaces() throws Exception {
    String cluster = "sigterm-" + ProcessHandle.current().pid();
    int portA = Ports.free();
    int portB = Ports.free();
    a =
        TestCoordinator.process(
            "sigterm-a", cluster, portA, List.of(portB), "liveness.resumeGraceMs=20000");
    b =
        TestCoordinator.process(
            "sigterm-b", cluster, portB, List.of(portA), "liveness.resumeGraceMs=20000");
    a.awaitHealthy(2, Duration.ofSeconds(60));
    b.awaitHealthy(2, Duration.ofSeconds(60));
    var created = Rest.of(b).admin("POST", "/api/streams", "{\"name\":\"calm\"}");
    assertThat(created.status()).isEqualTo(201);
    String key = created.json().get("publishKey").textValue();

    TestNode origin = TestNode.join(vertx, b.baseUrl(), "calm", "origin", key);
    open.add(origin);
    List<RawSocket> onA = new ArrayList<>();
    List<JsonNode> welcomes = new ArrayList<>();
    List<NodeKey> keys = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      RawSocket s = RawSocket.connect(vertx, a.baseUrl(), Map.of());
      open.add(s);
      NodeKey k = NodeKey.generate();
      keys.add(k);
      s.send(
          "{\"v\":1,\"type\":\"join\",\"stream\":\"calm\",\"role\":\"viewer\",\"nodeKey\":\""
              + k.publicKey()
              + "\"}");
      JsonNode w = s.next(10_000);
      assertThat(w.path("type").asText()).as(String.valueOf(w)).isEqualTo("welcome");
      onA.add(s);
      welcomes.add(w);
    }
    RawSocket idle = RawSocket.connect(vertx, a.baseUrl(), Map.of()); // connected, not joined
    open.add(idle);
    TreeView before = TreeView.fetch(Rest.of(b), "calm").assertValid();
    assertThat(before.size()).isEqualTo(6);

    // Only the shutdown is judged: Hazelcast may log a harmless exception while the cluster forms.
    long logBeforeSigterm = java.nio.file.Files.size(a.log());
    long sent = System.currentTimeMillis();
    a.process().destroy(); // SIGTERM
    for (RawSocket s : onA) {
      assertThat(s.awaitClosed(10_000)).isTrue();
      assertThat(s.closeCode()).as("close code: service restart").isEqualTo((short) 1012);
    }
    assertThat(idle.awaitClosed(10_000)).isTrue();
    assertThat(idle.closeCode()).isEqualTo((short) 1012);
    assertThat(a.process().waitFor(30, java.util.concurrent.TimeUnit.SECONDS))
        .as("exits after SIGTERM")
        .isTrue();
    long exitedAfterMs = System.currentTimeMillis() - sent;
    System.out.printf(
        "sigterm: sockets closed 1012, process exited %d after %d ms%n",
        a.process().exitValue(), exitedAfterMs);
    assertThat(a.process().exitValue()).as("the JVM's exit code on SIGTERM").isEqualTo(143);

    // Nothing was given up: the survivor holds the whole tree, and each node resumes its place
    // there.
    TreeView survived = TreeView.fetch(Rest.of(b), "calm").assertValid();
    assertThat(survived.nodes).isEqualTo(before.nodes);
    for (int i = 0; i < welcomes.size(); i++) {
      JsonNode w = welcomes.get(i);
      TestNode back = TestNode.connect(vertx, b.baseUrl());
      open.add(back);
      // Its token arrived seconds ago, well within the signature's window: an age of 0 does.
      back.send(
          keys.get(i)
              .resume(
                  "calm", w.get("nodeId").textValue(), w.get("resumeToken").textValue(), 0, null));
      Message.Welcome again = back.await(Message.Welcome.class);
      assertThat(again.resumed()).isTrue();
      assertThat(again.parent()).isEqualTo(w.get("parent").textValue());
    }
    assertThat(TreeView.fetch(Rest.of(b), "calm").assertValid().nodes).isEqualTo(before.nodes);
    byte[] log = java.nio.file.Files.readAllBytes(a.log());
    int from = (int) Math.min(logBeforeSigterm, log.length);
    assertThat(new String(log, from, log.length - from, java.nio.charset.StandardCharsets.UTF_8))
        .as("log after SIGTERM")
        .doesNotContain("Exception");
  }
}
