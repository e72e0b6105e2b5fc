package dev.waterfall.e2e;

import static dev.waterfall.e2e.StreamRig.metric;
import static dev.waterfall.e2e.StreamRig.segment;
import static dev.waterfall.e2e.StreamRig.sequences;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.waterfall.relay.Relay;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("a booster that corrupts what it forwards")
class LyingBoosterIT {
  private static final String STREAM = "liar";
  @RegisterExtension static final StreamRig rig = StreamRig.perClass();

  /*
   * Shape, maxChildren=2: origin → {liar, spare}, then the victim under the liar. A pure chain (maxChildren=1)
   * cannot show the move: everything below the origin is in the liar's subtree, so the coordinator has nowhere
   * to put the reporter and answers report-ignored. Join order fixes the placement: liar and spare are both
   * depth-1 boosters of equal capacity, and the coordinator prefers the longer-lived one, the liar.
   */
  @Test
  @DisplayName(
      "its child rejects every flipped chunk, stores only verified bytes, reports it and is moved away")
  void aChildOfALiarRejectsReportsAndIsMoved() throws Exception {
    String key = rig.createStream(STREAM, 2);
    Relay origin = rig.origin(STREAM, key);
    LyingBooster liar = LyingBooster.join(rig, STREAM, LyingBooster::flipChunkBytes);
    Relay spare = rig.booster(STREAM);
    Relay victim = rig.booster(STREAM);
    assertThat(parentInTree(victim.node().nodeId()))
        .as("the victim starts under the liar")
        .isEqualTo(liar.nodeId());

    // Until the victim has been moved and has gathered segments from its new parent, check every
    // segment it lists as soon as it lists it: nothing corrupt may be served at any moment, not
    // just at the end.
    Set<Long> checked = new HashSet<>();
    int checkedAtMove = -1;
    long deadline = System.currentTimeMillis() + 90_000;
    while (System.currentTimeMillis() < deadline) {
      checkNewSegments(origin, victim, checked);
      if (checkedAtMove < 0 && spare.node().nodeId().equals(victim.node().parentId())) {
        checkedAtMove = checked.size();
      }
      if (checkedAtMove >= 0 && checked.size() >= Math.max(6, checkedAtMove + 3)) {
        break; // moved, and three more segments since
      }
      Thread.sleep(250);
    }
    checkNewSegments(origin, victim, checked);

    assertThat(liar.framesToChildren.get()).as("the liar forwarded (tampered) frames").isPositive();
    assertThat(metric(victim, "waterfall_relay_verification_failures_total"))
        .as("chunks rejected")
        .isPositive();
    assertThat(victim.node().parentId())
        .as("connected parent after the report")
        .isEqualTo(spare.node().nodeId());
    assertThat(parentInTree(victim.node().nodeId()))
        .as("the coordinator moved it")
        .isEqualTo(spare.node().nodeId());
    assertThat(checked).as("segments checked at the victim").hasSizeGreaterThanOrEqualTo(6);
    // The spare was never fed by the liar: it has nothing to reject.
    assertThat(metric(spare, "waterfall_relay_verification_failures_total")).isZero();
  }

  private static void checkNewSegments(Relay origin, Relay victim, Set<Long> checked) {
    List<Long> held = sequences(victim, STREAM);
    for (long seq : held) {
      if (checked.contains(seq)) {
        continue;
      }
      byte[] mine = segment(victim, STREAM, seq);
      byte[] theirs = segment(origin, STREAM, seq);
      if (mine == null || theirs == null) {
        continue; // fell out of a window between the playlist and the fetch
      }
      assertThat(mine)
          .as("segment %d at the victim", seq)
          .hasSizeGreaterThan(1000)
          .isEqualTo(theirs);
      checked.add(seq);
    }
  }

  private static String parentInTree(String id) {
    for (JsonNode n : Http.json(rig.base + "/api/streams/" + STREAM + "/tree").get("nodes")) {
      if (id.equals(n.get("id").textValue())) {
        return n.get("parent").textValue();
      }
    }
    throw new AssertionError(id + " is not in the tree");
  }
}
