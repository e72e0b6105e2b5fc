package dev.waterfall.tree;

import static dev.waterfall.tree.Trees.childrenOf;
import static dev.waterfall.tree.Trees.parentOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Coordinator mutations")
class MutationTest {

  @Nested
  @DisplayName("setCapacity")
  class SetCapacity {

    @Test
    void shrinkingMovesYoungestChildrenWithTheirSubtrees() {
      StreamTree tree = Trees.of("o: a", "a: a1 a2 a3", "a3: z");
      List<Move> moves = tree.setCapacity("a", 1);
      assertThat(moves).containsExactly(new Move("a3", "a", "o", 1), new Move("a2", "a", "o", 1));
      assertThat(childrenOf(tree, "a")).containsExactly("a1");
      assertThat(tree.node("z").depth()).isEqualTo(2);
      tree.validate();
    }

    @Test
    void growingOpensSlotsWithoutMoves() {
      StreamTree tree = Trees.of("o: a/0 b/0 c/0 d/0");
      assertThat(tree.shallowestOpenDepth()).isEqualTo(-1);
      assertThat(tree.setCapacity("c", 2)).isEmpty();
      assertThat(tree.join(NodeSpec.viewer("n", 0, 99)).parent()).isEqualTo("c");
      tree.validate();
    }

    @Test
    void subtreeHoldingTheOnlySlotSwapsInForALeaf() {
      StreamTree tree = Trees.of("o: a/1 b/0 c/0 d/0", "a: x/2", "x: x1/0");
      List<Move> moves = tree.setCapacity("a", 0);
      assertThat(moves)
          .containsExactlyInAnyOrder(new Move("x", "a", "o", 1), new Move("d", "o", "x", 2));
      assertThat(childrenOf(tree, "o")).containsExactly("a", "b", "c", "x");
      tree.validate();
    }

    @Test
    void rejectsOutOfRangeCapacity() {
      StreamTree tree = Trees.of("o: a");
      assertThatThrownBy(() -> tree.setCapacity("a", 5))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> tree.setCapacity("a", -1))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> tree.setCapacity("zz", 1))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Nested
  @DisplayName("moveAway")
  class MoveAway {

    @Test
    void leavesTheBadParentsSubtree() {
      StreamTree tree = Trees.of("o: a b c d", "a: a1 a2", "a1: x");
      List<Move> moves = tree.moveAway("a1", "a");
      assertThat(moves).containsExactly(new Move("a1", "a", "b", 2));
      assertThat(parentOf(tree, "x")).isEqualTo("a1");
      tree.validate();
    }

    @Test
    void neverMovesIntoItsOwnSubtreeOrBackUnderItsParent() {
      StreamTree tree = Trees.of("o: a/1", "a: b/4", "b: c/4");
      tree.setCapacity("o", 1);
      assertThat(tree.moveAway("b", null)).isEmpty(); // only open slots: inside b's subtree
      assertThat(tree.moveAway("c", "o")).isEmpty(); // everything is under the root
      tree.validate();
    }

    @Test
    void rootCannotMove() {
      StreamTree tree = Trees.of("o: a");
      assertThatThrownBy(() -> tree.moveAway("o", null))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Nested
  @DisplayName("reportStarving")
  class ReportStarving {

    @Test
    void oneReportMovesTheReporterAwayAndDemotesNobody() {
      StreamTree tree = Trees.of("o: a b c d", "a: a1 a2", "a1: x");
      List<Move> moves = tree.reportStarving("a1", "a", 1000, 60_000);
      assertThat(moves).containsExactly(new Move("a1", "a", "b", 2));
      assertThat(tree.isDemoted("a")).isFalse();
      assertThat(tree.node("a").capacity()).isEqualTo(4);
      tree.validate();
    }

    @Test
    void aSecondChildWithinTheWindowDemotesTheParentToALeafForGood() {
      StreamTree tree = Trees.of("o: a b c d", "a: a1 a2 a3");
      tree.reportStarving("a1", "a", 1000, 60_000);
      List<Move> moves = tree.reportStarving("a2", "a", 61_000, 60_000);
      assertThat(tree.isDemoted("a")).isTrue();
      assertThat(childrenOf(tree, "a")).isEmpty();
      assertThat(moves).extracting(Move::nodeId).containsExactlyInAnyOrder("a2", "a3");
      assertThat(tree.setCapacity("a", 4)).isEmpty();
      assertThat(tree.node("a").capacity()).isZero();
      tree.validate();
    }

    @Test
    void theSameChildTwiceOrReportsFarApartDemoteNobody() {
      StreamTree tree = Trees.of("o: a b c d", "a: a1 a2 a3", "b: b1 b2");
      tree.reportStarving("a1", "a", 1000, 60_000);
      tree.reportStarving("a1", "b", 1000, 60_000); // a1 is no longer a's child: nothing happens
      assertThat(tree.isDemoted("b")).isFalse();
      tree.reportStarving("a2", "a", 62_000, 60_000); // 61 s after the first
      assertThat(tree.isDemoted("a")).isFalse();
      tree.reportStarving("b1", "b", 70_000, 60_000);
      tree.setCapacity("b", 4);
      assertThat(tree.isDemoted("b")).isFalse();
      tree.validate();
    }

    @Test
    void theRootAndBoostersAreNeverDemoted() {
      StreamTree tree = Trees.of("o: r1 r2 +bst c", "bst: b1 b2", "c: c1/0");
      tree.reportStarving("r1", "o", 1000, 60_000);
      tree.reportStarving("r2", "o", 1001, 60_000);
      tree.reportStarving("b1", "bst", 1002, 60_000);
      tree.reportStarving("b2", "bst", 1003, 60_000);
      assertThat(tree.isDemoted("o")).isFalse();
      assertThat(tree.isDemoted("bst")).isFalse();
      assertThat(tree.node("bst").capacity()).isEqualTo(4);
      tree.validate();
    }
  }

  @Nested
  @DisplayName("owners")
  class Owners {

    @Test
    void tracksOwnersAndRemovesAllOfADeadProcess() {
      StreamTree tree = new StreamTree("s", "o", 4, 1000, 0);
      tree.setOwner("o", "c1");
      for (int i = 0; i < 30; i++) {
        tree.join(new NodeSpec("v" + i, Role.VIEWER, 4, i, i % 3 == 0 ? "c1" : "c2"));
      }
      assertThat(tree.nodesOwnedBy("c1")).hasSize(11).startsWith("o", "v0", "v3");
      List<Move> moves = tree.removeOwnedBy("c1", RepairStrategies.defaultStrategy());
      tree.validate();
      assertThat(tree.size()).isEqualTo(21);
      assertThat(tree.nodesOwnedBy("c1")).isEmpty();
      assertThat(tree.node("o").owner()).isNull();
      assertThat(moves)
          .allSatisfy(
              m -> {
                assertThat(tree.contains(m.nodeId())).isTrue();
                assertThat(parentOf(tree, m.nodeId())).isEqualTo(m.newParent());
              });
    }

    @Test
    void ownerCanChangeAndBeCleared() {
      StreamTree tree = new StreamTree("s", "o", 4, 1000, 0);
      tree.join(new NodeSpec("a", Role.VIEWER, 4, 1, "c1"));
      tree.setOwner("a", "c2");
      assertThat(tree.nodesOwnedBy("c1")).isEmpty();
      assertThat(tree.nodesOwnedBy("c2")).containsExactly("a");
      tree.setOwner("a", null);
      assertThat(tree.nodesOwnedBy("c2")).isEmpty();
      tree.validate();
    }
  }

  @Test
  void neighboursAreParentAndChildOnly() {
    StreamTree tree = Trees.of("o: a b", "a: a1");
    assertThat(tree.areNeighbours("o", "a")).isTrue();
    assertThat(tree.areNeighbours("a1", "a")).isTrue();
    assertThat(tree.areNeighbours("a", "b")).isFalse();
    assertThat(tree.areNeighbours("o", "a1")).isFalse();
    assertThat(tree.areNeighbours("o", "nobody")).isFalse();
  }

  @Test
  void snapshotsDoNotChangeWithTheTree() {
    StreamTree tree = Trees.of("o: a b", "a: a1");
    TreeNode before = tree.node("a");
    tree.remove("a1", RepairStrategies.defaultStrategy());
    assertThat(before.childIds()).containsExactly("a1");
    assertThat(tree.node("a").childIds()).isEmpty();
    assertThat(tree.node("gone")).isNull();
    assertThat(tree.breadthFirst()).extracting(TreeNode::id).containsExactly("o", "a", "b");
  }

  @Nested
  @DisplayName("moveDown")
  class MoveDown {

    @Test
    void aSlowChildGoesUnderAnotherParentNoShallower() {
      StreamTree tree = Trees.of("o: a b", "a: x", "x: y");
      List<Move> moves = tree.moveDown("x");
      assertThat(moves).containsExactly(new Move("x", "a", "b", 2));
      assertThat(tree.node("y").depth()).isEqualTo(3);
      tree.validate();
    }

    @Test
    void aBoosterIsNeverMovedDownForSlowness() {
      StreamTree tree = Trees.of("o: +b a", "a: x");
      assertThat(tree.moveDown("b")).isEmpty(); // under a viewer it would be fed by a worse uplink
      assertThat(parentOf(tree, "b")).isEqualTo("o");
      tree.validate();
    }

    @Test
    void neverPromotedAndNeverIntoItsOwnSubtree() {
      StreamTree tree = Trees.of("o: a", "a: x", "x: y");
      // only the origin (shallower) or its own child have room
      assertThat(tree.moveDown("x")).isEmpty();
      assertThat(parentOf(tree, "x")).isEqualTo("a");
      tree.validate();
    }
  }
}
