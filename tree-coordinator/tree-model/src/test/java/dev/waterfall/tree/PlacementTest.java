package dev.waterfall.tree;

import static dev.waterfall.tree.Trees.depthOf;
import static dev.waterfall.tree.Trees.parentOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Joining: placement rules")
class PlacementTest {

  private final StreamTree tree = new StreamTree("s", "o", 4, 1000, 0);
  private long clock;

  private JoinResult viewer(String id, int capacity) {
    return tree.join(NodeSpec.viewer(id, capacity, clock += 10));
  }

  private JoinResult booster(String id, int capacity) {
    return tree.join(NodeSpec.booster(id, capacity, clock += 10));
  }

  @Nested
  @DisplayName("shallowest free slot")
  class Shallowest {

    @Test
    void fanOutFourGivesDepthFiveAtThousandAndOneNodes() {
      for (int i = 0; i < 1000; i++) {
        int open = tree.shallowestOpenDepth();
        JoinResult result = viewer("v" + i, 4);
        assertThat(result.depth()).isEqualTo(open + 1);
      }
      tree.validate();
      assertThat(tree.size()).isEqualTo(1001);
      assertThat(tree.maxDepth()).isEqualTo(5);
      assertThat(tree.depthHistogram()).containsExactly(1, 4, 16, 64, 256, 660);
    }

    @Test
    void slotCountsAsTakenAtOnce() {
      for (int i = 0; i < 4; i++) {
        assertThat(viewer("v" + i, 4).parent()).isEqualTo("o");
      }
      assertThat(viewer("v4", 4).parent()).isEqualTo("v0");
    }

    @Test
    void uploadFalseNodeStaysALeaf() {
      int slots = StreamTree.slotsFor(4, 1000, 50_000, false);
      viewer("mobile", slots);
      for (int i = 0; i < 20; i++) {
        viewer("v" + i, 4);
      }
      assertThat(tree.node("mobile").childIds()).isEmpty();
      tree.validate();
    }

    @Test
    void fullTreeRejectsJoins() {
      StreamTree small = new StreamTree("s", "o", 1, 1000, 0);
      small.join(NodeSpec.viewer("a", 0, 1));
      assertThat(small.shallowestOpenDepth()).isEqualTo(-1);
      assertThatThrownBy(() -> small.join(NodeSpec.viewer("b", 0, 2)))
          .isInstanceOf(NoOpenSlotException.class);
      small.validate();
    }

    @Test
    void rejectsDuplicatesAndOversizedCapacity() {
      viewer("a", 4);
      assertThatThrownBy(() -> viewer("a", 4)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> viewer("o", 4)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> viewer("b", 5)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> new NodeSpec("x", Role.ORIGIN, 1, 0, null))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> new NodeSpec(" ", Role.VIEWER, 1, 0, null))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> new NodeSpec("x", Role.VIEWER, -1, 0, null))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Nested
  @DisplayName("tie-break among parents at the same depth")
  class TieBreak {

    @Test
    void boosterBeatsEarlierViewer() {
      viewer("v", 4);
      booster("b", 4);
      viewer("w", 4);
      viewer("x", 4);
      assertThat(viewer("next", 4).parent()).isEqualTo("b");
    }

    @Test
    void higherCapacityBeatsEarlierJoin() {
      viewer("c2", 2);
      viewer("c4", 4);
      viewer("c1", 1);
      viewer("c3", 3);
      List<String> parents = new java.util.ArrayList<>();
      for (int i = 0; i < 10; i++) {
        parents.add(viewer("n" + i, 0).parent());
      }
      assertThat(parents)
          .containsExactly("c4", "c4", "c4", "c4", "c3", "c3", "c3", "c2", "c2", "c1");
    }

    @Test
    void longerLivedBeatsEarlierInserted() {
      tree.join(NodeSpec.viewer("late", 4, 500));
      tree.join(NodeSpec.viewer("early", 4, 100));
      tree.join(NodeSpec.viewer("x", 0, 600));
      tree.join(NodeSpec.viewer("y", 0, 700));
      assertThat(tree.join(NodeSpec.viewer("n", 0, 800)).parent()).isEqualTo("early");
    }

    @Test
    void sameJoinTimeFallsBackToInsertionOrder() {
      tree.join(NodeSpec.viewer("first", 4, 100));
      tree.join(NodeSpec.viewer("second", 4, 100));
      tree.join(NodeSpec.viewer("x", 0, 100));
      tree.join(NodeSpec.viewer("y", 0, 100));
      assertThat(tree.join(NodeSpec.viewer("n", 0, 100)).parent()).isEqualTo("first");
    }
  }

  @Nested
  @DisplayName("boosters take viewers' places near the root")
  class BoosterDisplacement {

    @Test
    void boosterReplacesYoungestViewerWithSmallestSubtree() {
      StreamTree t =
          Trees.of(
              "o: v1 v2 v3 v4",
              "v1: a1 a2 a3 a4",
              "v2: b1 b2 b3 b4",
              "v3: c1 c2 c3 c4",
              "v4: d1 d2 d3 d4",
              "d1: deep");
      int open = t.shallowestOpenDepth();
      JoinResult result = t.join(NodeSpec.booster("B", 4, 1000));
      t.validate();
      // v4 is youngest but its subtree is taller; v3 is the youngest of the shortest subtrees
      assertThat(result.depth()).isEqualTo(1).isLessThan(open + 1);
      assertThat(result.parent()).isEqualTo("o");
      assertThat(result.moves()).containsExactly(new Move("v3", "o", "B", 2));
      assertThat(t.node("o").childIds()).containsExactly("v1", "v2", "B", "v4");
      assertThat(depthOf(t, "c4")).isEqualTo(3);
    }

    @Test
    void lowerCapacityViewerIsDisplacedFirst() {
      StreamTree t =
          Trees.of("o: v1/1 v2/4 v3/4 v4/4", "v1: x", "v2: a b c d", "v3: e f g h", "v4: i j k l");
      JoinResult result = t.join(NodeSpec.booster("B", 4, 1000));
      assertThat(result.moves()).containsExactly(new Move("v1", "o", "B", 2));
      t.validate();
    }

    @Test
    void noDisplacementWhenASlotIsAsShallow() {
      viewer("v1", 4);
      JoinResult result = booster("b", 4);
      assertThat(result.parent()).isEqualTo("o");
      assertThat(result.moves()).isEmpty();
    }

    @Test
    void zeroCapacityBoosterIsPlacedLikeAViewer() {
      StreamTree t = Trees.of("o: v1 v2 v3 v4", "v1: a");
      JoinResult result = t.join(NodeSpec.booster("B", 0, 1000));
      assertThat(result.depth()).isEqualTo(2);
      assertThat(result.moves()).isEmpty();
    }

    @Test
    void viewerUnderAViewerIsNeverDisplaced() {
      StreamTree t = Trees.of("o: v1/1", "v1: v2/1", "v2: v3/0");
      t.setCapacity("o", 1);
      JoinResult result = t.join(NodeSpec.booster("B", 4, 1000));
      assertThat(result.moves()).containsExactly(new Move("v1", "o", "B", 2));
      t.validate();
    }

    @Test
    void depthBoundStopsDisplacementOfTallSubtrees() {
      // Every slot is taken and every backbone viewer heads a 5-deep chain: pushing one down breaks
      // the bound.
      StreamTree t =
          Trees.of(
              "o: v1/1 v2/1 v3/1 v4/1",
              "v1: a1/1",
              "a1: a2/1",
              "a2: a3/1",
              "a3: a4/0",
              "v2: b1/1",
              "b1: b2/1",
              "b2: b3/1",
              "b3: b4/0",
              "v3: c1/1",
              "c1: c2/1",
              "c2: c3/1",
              "c3: c4/0",
              "v4: d1/1",
              "d1: d2/1",
              "d2: d3/0");
      assertThat(t.shallowestOpenDepth()).isEqualTo(-1);
      assertThat(StreamTree.depthBound(t.size() + 1)).isEqualTo(5);
      JoinResult result = t.join(NodeSpec.booster("B", 4, 1000));
      // only v4's chain fits
      assertThat(result.moves()).containsExactly(new Move("v4", "o", "B", 2));
      assertThat(t.maxDepth()).isEqualTo(5);
      t.validate();
      // the remaining backbone viewers are still too tall to push down, but have fewer slots: the
      // next booster takes the youngest one's place and adopts it and its child, which keeps its
      // depth
      JoinResult next = t.join(NodeSpec.booster("C", 4, 1001));
      assertThat(next.parent()).isEqualTo("o");
      assertThat(next.moves())
          .containsExactly(new Move("c1", "v3", "C", 2), new Move("v3", "o", "C", 2));
      assertThat(t.maxDepth()).isEqualTo(5);
      t.validate();
    }

    @Test
    void boosterBackboneGrowsFromTheRoot() {
      for (int i = 0; i < 100; i++) {
        viewer("v" + i, 4);
      }
      for (int i = 0; i < 4; i++) {
        JoinResult result = booster("b" + i, 4);
        assertThat(result.depth()).isEqualTo(1);
        assertThat(parentOf(tree, "b" + i)).isEqualTo("o");
      }
      JoinResult fifth = booster("b4", 4);
      assertThat(fifth.depth()).isEqualTo(2);
      assertThat(tree.node(fifth.parent()).role()).isEqualTo(Role.BOOSTER);
      tree.validate();
    }
  }

  @Nested
  @DisplayName("a joiner with more slots takes a weaker viewer's place")
  class CapacitySwap {

    @Test
    void joinerTakesThePlaceAndAdoptsTheViewerAndItsChildren() {
      StreamTree t = Trees.of("o: a/4 w/2 c/4 d/4", "w: x/0 y/4", "y: deep/0");
      assertThat(t.shallowestOpenDepth()).isEqualTo(1);
      JoinResult result = t.join(NodeSpec.viewer("J", 4, 1000));
      t.validate();
      assertThat(result.parent()).isEqualTo("o");
      assertThat(result.depth()).isEqualTo(1);
      assertThat(result.moves())
          .containsExactly(
              new Move("x", "w", "J", 2), new Move("y", "w", "J", 2), new Move("w", "o", "J", 2));
      assertThat(t.node("o").childIds()).containsExactly("a", "J", "c", "d");
      assertThat(t.node("J").childIds()).containsExactly("x", "y", "w");
      assertThat(depthOf(t, "deep")).isEqualTo(3); // subtrees keep their depth
      assertThat(t.node("w").childIds()).isEmpty();
    }

    @Test
    void fewestSlotsFirstThenYoungest() {
      StreamTree t = Trees.of("o: a/1 b/0 c/0 d/4");
      assertThat(t.join(NodeSpec.viewer("J", 4, 1000)).moves())
          .containsExactly(new Move("c", "o", "J", 2));
      assertThat(t.join(NodeSpec.viewer("K", 4, 1001)).moves())
          .containsExactly(new Move("b", "o", "K", 2));
      assertThat(t.join(NodeSpec.viewer("L", 4, 1002)).moves())
          .containsExactly(new Move("a", "o", "L", 2));
      assertThat(t.node("o").childIds()).containsExactly("L", "K", "J", "d");
      t.validate();
    }

    @Test
    void onlyAViewerWithFewerSlotsIsSwapped() {
      StreamTree t = Trees.of("o: a/2 +B/1 c/4", "c: x/0");
      // a has as many slots: free slot instead
      JoinResult equal = t.join(NodeSpec.viewer("two", 2, 1000));
      assertThat(equal.moves()).isEmpty();
      assertThat(equal.parent()).isEqualTo("o");
      JoinResult more = t.join(NodeSpec.viewer("three", 3, 1001)); // boosters are never swapped out
      assertThat(more.moves()).containsExactly(new Move("two", "o", "three", 2));
      t.validate();
    }

    @Test
    void noSwapWhenTheWeakerViewerIsNoShallowerThanTheFreeSlot() {
      StreamTree t = Trees.of("o: a b c d", "a: w/1");
      JoinResult result = t.join(NodeSpec.viewer("J", 4, 1000)); // lands at depth 2, as deep as w
      assertThat(result.moves()).isEmpty();
      assertThat(result.depth()).isEqualTo(2);
      assertThat(result.parent()).isEqualTo("a");
    }

    @Test
    void leafOnlyJoinerNeverSwaps() {
      StreamTree t = Trees.of("o: a/0 b/4");
      JoinResult result = t.join(NodeSpec.viewer("J", 0, 1000));
      assertThat(result.moves()).isEmpty();
      assertThat(result.parent()).isEqualTo("o");
    }

    @Test
    void aFullTreeStillAdmitsEveryJoinerThatUploads() {
      // A full tree's leaves all have 0 slots, so any joiner with a slot can take a leaf's place.
      StreamTree t = Trees.ofMax(2, "o: a/0 b/1", "b: c/0");
      assertThat(t.shallowestOpenDepth()).isEqualTo(-1);
      assertThatThrownBy(() -> t.join(NodeSpec.viewer("none", 0, 1000)))
          .isInstanceOf(NoOpenSlotException.class);
      JoinResult result = t.join(NodeSpec.viewer("J", 1, 1001));
      assertThat(result.moves()).containsExactly(new Move("a", "o", "J", 2));
      assertThat(t.shallowestOpenDepth()).isEqualTo(-1);
      t.validate();
    }
  }
}
