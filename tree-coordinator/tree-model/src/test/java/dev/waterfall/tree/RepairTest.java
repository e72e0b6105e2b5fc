package dev.waterfall.tree;

import static dev.waterfall.tree.Trees.childrenOf;
import static dev.waterfall.tree.Trees.depthOf;
import static dev.waterfall.tree.Trees.parentOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Removal and repair")
class RepairTest {
  private static final RepairStrategy LEAF_SWAP = RepairStrategies.byName("leaf-swap");
  private static final RepairStrategy PROMOTE = RepairStrategies.byName("promote-child");
  private static final RepairStrategy REATTACH = RepairStrategies.byName("reattach-subtrees");

  /** a departs; b's branch holds the deepest leaf. */
  private static StreamTree sample() {
    return Trees.of("o: a b", "a: a1 a2", "a1: a1x", "b: b1", "b1: b1x", "b1x: deep");
  }

  @Nested
  @DisplayName("registry")
  class Registry {

    @Test
    void knowsThreeStrategiesAndDefaultsToLeafSwap() {
      assertThat(RepairStrategies.names())
          .containsExactly("leaf-swap", "promote-child", "reattach-subtrees");
      assertThat(RepairStrategies.defaultStrategy().name()).isEqualTo("leaf-swap");
      assertThat(RepairStrategies.byName("promote-child").name()).isEqualTo("promote-child");
    }

    @Test
    void unknownNameListsTheKnownOnes() {
      assertThatThrownBy(() -> RepairStrategies.byName("magic"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("leaf-swap")
          .hasMessageContaining("reattach-subtrees");
    }
  }

  @Nested
  @DisplayName("any strategy")
  class Common {

    @Test
    void rootAndUnknownNodesCannotBeRemoved() {
      StreamTree tree = sample();
      assertThatThrownBy(() -> tree.remove("o", LEAF_SWAP))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> tree.remove("nobody", LEAF_SWAP))
          .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void removingALeafJustFreesItsSlot() {
      StreamTree tree = sample();
      assertThat(tree.remove("a1x", PROMOTE)).isEmpty();
      assertThat(childrenOf(tree, "a1")).isEmpty();
      assertThat(tree.contains("a1x")).isFalse();
      tree.validate();
    }

    @Test
    void compactionLiftsTheDeepestLeafWhenTheBoundIsBroken() {
      StreamTree tree = Trees.of("o: a x", "a: b", "b: c", "c: d", "d: e");
      assertThat(tree.maxDepth()).isEqualTo(5);
      List<Move> moves = tree.remove("x", LEAF_SWAP);
      assertThat(StreamTree.depthBound(tree.size())).isEqualTo(4);
      assertThat(moves).containsExactly(new Move("e", "d", "o", 1));
      assertThat(tree.maxDepth()).isEqualTo(4);
      tree.validate();
    }

    @Test
    void evictsWhenNoSlotIsLeftAnywhere() {
      StreamTree tree = Trees.of("o: a/2 b/0 c/0 d/0", "a: a1/0 a2/0");
      List<Move> moves = tree.remove("a", REATTACH);
      assertThat(moves).containsExactly(new Move("a1", "a", "o", 1), new Move("a2", "a", null, -1));
      assertThat(moves.get(1).isEviction()).isTrue();
      assertThat(tree.contains("a2")).isFalse();
      tree.validate();
    }
  }

  @Nested
  @DisplayName("leaf-swap")
  class LeafSwapRepair {

    @Test
    void deepestLeafTakesTheExactPlaceAndAdoptsTheOrphans() {
      StreamTree tree = sample();
      List<Move> moves = tree.remove("a", LEAF_SWAP);
      assertThat(moves)
          .containsExactlyInAnyOrder(
              new Move("deep", "b1x", "o", 1),
              new Move("a1", "a", "deep", 2),
              new Move("a2", "a", "deep", 2));
      assertThat(childrenOf(tree, "o")).containsExactly("deep", "b");
      assertThat(depthOf(tree, "a1x")).isEqualTo(3);
      assertThat(tree.lastDepthChanges).isEqualTo(1);
      tree.validate();
    }

    @Test
    void orphanLeafMayTakeThePlaceWhenItFitsItsSiblings() {
      StreamTree tree = Trees.of("o: a/1 b/0 c/0 d/0", "a: a1/0");
      List<Move> moves = tree.remove("a", LEAF_SWAP);
      assertThat(moves).containsExactly(new Move("a1", "a", "o", 1));
      tree.validate();
    }

    @Test
    void youngestWinsAmongEquallyDeepLeaves() {
      StreamTree tree = Trees.of("o: a b", "a: a1", "b: x y");
      tree.remove("a", LEAF_SWAP);
      assertThat(parentOf(tree, "y")).isEqualTo("o");
      assertThat(parentOf(tree, "a1")).isEqualTo("y");
      tree.validate();
    }

    @Test
    void leafMustHaveRoomForAllOrphans() {
      StreamTree tree = Trees.of("o: a b", "a: a1 a2 a3", "b: b1/1 b2/3", "b1: deep/2");
      tree.remove("a", LEAF_SWAP);
      assertThat(parentOf(tree, "b2")).isEqualTo("o"); // deep (capacity 2) cannot adopt three
      assertThat(childrenOf(tree, "b2")).containsExactly("a1", "a2", "a3");
      tree.validate();
    }

    @Test
    void fallsBackToPromoteChildWhenNoLeafIsBigEnough() {
      StreamTree tree = Trees.of("o: a/2 b/0 c/0", "a: a1/2 a2/0", "a1: x/0");
      List<Move> moves = tree.remove("a", LEAF_SWAP);
      assertThat(moves).containsExactly(new Move("a1", "a", "o", 1), new Move("a2", "a", "a1", 2));
      tree.validate();
    }
  }

  @Nested
  @DisplayName("promote-child")
  class PromoteChildRepair {

    @Test
    void bestOrphanRisesAndAdoptsItsSiblings() {
      StreamTree tree = sample();
      List<Move> moves = tree.remove("a", PROMOTE);
      assertThat(moves).containsExactly(new Move("a1", "a", "o", 1), new Move("a2", "a", "a1", 2));
      assertThat(childrenOf(tree, "o")).containsExactly("a1", "b");
      assertThat(depthOf(tree, "a1x")).isEqualTo(2);
      tree.validate();
    }

    @Test
    void siblingsThatDoNotFitAreReplacedWhole() {
      StreamTree tree = Trees.of("o: a b", "a: a1/2 a2/2 a3/2", "a1: x y", "a3: z");
      List<Move> moves = tree.remove("a", PROMOTE);
      assertThat(moves)
          .containsExactly(
              new Move("a1", "a", "o", 1),
              new Move("a2", "a", "o", 1),
              new Move("a3", "a", "o", 1));
      assertThat(depthOf(tree, "z")).isEqualTo(2);
      tree.validate();
    }
  }

  @Nested
  @DisplayName("reattach-subtrees")
  class ReattachRepair {

    @Test
    void eachOrphanGoesWholeToTheShallowestSlotAndTheVacancyCounts() {
      StreamTree tree = Trees.of("o: a b c d", "a: a1 a2", "a1: a1x");
      List<Move> moves = tree.remove("a", REATTACH);
      assertThat(moves).containsExactly(new Move("a1", "a", "o", 1), new Move("a2", "a", "b", 2));
      assertThat(depthOf(tree, "a1x")).isEqualTo(2);
      tree.validate();
    }
  }

  @Nested
  @DisplayName("when every strategy meets the same tree")
  class SameTree {

    @Test
    void allKeepEveryoneAndStayValid() {
      for (String name : RepairStrategies.names()) {
        StreamTree tree = sample();
        tree.remove("a", RepairStrategies.byName(name));
        tree.validate();
        assertThat(tree.size()).as(name).isEqualTo(8);
        assertThat(tree.contains("a1x")).as(name).isTrue();
      }
    }
  }
}
