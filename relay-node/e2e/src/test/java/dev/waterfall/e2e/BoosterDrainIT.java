package dev.waterfall.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.waterfall.relay.Relay;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A booster about to recycle its process (webrtc-java's native leak, `boost --recycle-after-links`)
 * first hands its children over: it asks for 0 slots, the coordinator moves them, and each keeps
 * its old link until the new one carries data, so the moved child needs nothing over HTTP across
 * the switch (real relays, real WebRTC).
 */
@DisplayName("a draining booster hands its child over, make-before-break, and keeps its own place")
class BoosterDrainIT {
  private static final String STREAM = "drain";
  @RegisterExtension static final StreamRig rig = StreamRig.perClass();

  @Test
  void theChildMovesToTheOtherBoosterWithoutAGap() throws Exception {
    // The origin's two slots take boosters a and b; c goes under the older one, a.
    Relay origin = rig.origin(STREAM, rig.createStream(STREAM, 2));
    Relay a = rig.booster(STREAM);
    Relay b = rig.booster(STREAM);
    Relay c = rig.booster(STREAM);
    awaitParent(c, a.node().nodeId());
    awaitSegments(c, 3);
    long before = StreamRig.sequences(c, STREAM).get(0);
    long httpBefore = c.node().bytesByFallback();

    var drained = a.drain(30_000).toCompletionStage().toCompletableFuture();
    // Make-before-break: c always has a working parent link, a's until b's carries data. Without
    // it, a would close c's link on child-left and c would be without a parent until its new link
    // opened.
    List<String> parents = new java.util.ArrayList<>();
    while (!drained.isDone()) {
      String p = c.node().parentId();
      if (parents.isEmpty() || !java.util.Objects.equals(parents.get(parents.size() - 1), p)) {
        parents.add(p);
      }
      Thread.sleep(2);
    }
    drained.get(40, TimeUnit.SECONDS);
    assertThat(parents)
        .as("c's parents during the drain")
        .doesNotContainNull()
        .containsExactly(a.node().nodeId(), b.node().nodeId());

    assertThat(a.node().children()).as("a has handed its child over").isZero();
    assertThat(c.node().parentId()).as("c under the other booster").isEqualTo(b.node().nodeId());
    JsonNode aNode = node(a.node().nodeId());
    assertThat(aNode.get("capacity").intValue()).as("a asked for no children").isZero();
    assertThat(aNode.get("parent").textValue())
        .as("a keeps its place")
        .isEqualTo(origin.node().nodeId());
    long switched =
        StreamRig.sequences(origin, STREAM).get(StreamRig.sequences(origin, STREAM).size() - 1);
    awaitSegments(c, switched + 2);
    List<Long> held = StreamRig.sequences(c, STREAM);
    assertThat(held.get(held.size() - 1))
        .as("c's playlist runs on past the switch")
        .isGreaterThan(before);
    assertThat(c.node().bytesByFallback() - httpBefore)
        .as("c needed no HTTP across the switch")
        .isZero();
  }

  private static void awaitParent(Relay relay, String parent) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    while (!parent.equals(relay.node().parentId()) && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
    }
    assertThat(relay.node().parentId())
        .as("tree " + Http.json(rig.base + "/api/streams/" + STREAM + "/tree"))
        .isEqualTo(parent);
  }

  /**
   * Until the relay's playlist reaches {@code sequence} (or holds that many segments, for a small
   * number).
   */
  private static void awaitSegments(Relay relay, long sequence) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline) {
      List<Long> held = StreamRig.sequences(relay, STREAM);
      if (sequence < 10
          ? held.size() >= sequence
          : !held.isEmpty() && held.get(held.size() - 1) >= sequence) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError(
        "playlist " + StreamRig.sequences(relay, STREAM) + " never reached " + sequence);
  }

  private static JsonNode node(String id) {
    for (JsonNode n : Http.json(rig.base + "/api/streams/" + STREAM + "/tree").get("nodes")) {
      if (n.get("id").textValue().equals(id)) {
        return n;
      }
    }
    throw new AssertionError("no node " + id);
  }
}
