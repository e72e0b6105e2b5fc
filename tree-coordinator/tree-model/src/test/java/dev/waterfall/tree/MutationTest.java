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
    private static final TrustRule RULE = TrustRule.DEFAULT.withWindowMs(60_000);

    @Test
    void aWeakReportMovesTheReporterAndCostsTheParentThatSlotOnly() {
      StreamTree tree = Trees.of("o: a b c d", "a: a1 a2", "a1: x");
      List<Move> moves = tree.reportStarving("a1", "a", 0.35, 1000, RULE);
      assertThat(moves).containsExactly(new Move("a1", "a", "b", 2));
      assertThat(tree.isDemoted("a")).isFalse();
      assertThat(tree.node("a").capacity()).isEqualTo(1);
      assertThat(childrenOf(tree, "a")).containsExactly("a2");
      tree.validate();
    }

    @Test
    void weakReportsFromEveryChildNeverDemote() {
      StreamTree tree = Trees.of("o: a b c d", "a: a1 a2 a3");
      tree.reportStarving("a1", "a", 0.2, 1000, RULE);
      tree.reportStarving("a2", "a", 0.45, 2000, RULE);
      tree.reportStarving("a3", "a", Double.NaN, 3000, RULE); // the link never opened
      assertThat(tree.isDemoted("a")).isFalse();
      assertThat(tree.demotions("a")).isZero();
      assertThat(tree.node("a").capacity()).isZero();
      tree.validate();
    }

    @Test
    void aWeakParentEarnsItsSlotsBackOnePerQuietPeriodThatDoublesPerReport() {
      StreamTree tree = Trees.of("o: a b c d", "a: a1 a2 a3");
      tree.reportStarving("a1", "a", 0.3, 0, RULE); // backoff 1: 60 s quiet periods
      tree.reportStarving("a2", "a", 0.3, 1000, RULE); // backoff 2: 120 s, from 1 s
      assertThat(tree.node("a").capacity()).isEqualTo(1);
      assertThat(tree.nextEarnAt("a", RULE)).isEqualTo(121_000);
      tree.setCapacity("a", 4, 120_999, RULE);
      assertThat(tree.node("a").capacity()).isEqualTo(1);
      tree.setCapacity("a", 4, 121_000, RULE); // a3 fed through the period: the backoff is gone
      assertThat(tree.node("a").capacity()).isEqualTo(2);
      assertThat(tree.nextEarnAt("a", RULE)).isEqualTo(151_000);
      tree.setCapacity("a", 4, 151_000, RULE);
      tree.setCapacity("a", 4, 181_000, RULE);
      assertThat(tree.node("a").capacity()).isEqualTo(4);
      assertThat(tree.nextEarnAt("a", RULE)).isEqualTo(Long.MAX_VALUE);
      tree.validate();
    }

    @Test
    void twoWithheldReportsFromDifferentChildrenWithinTheWindowDemoteTheParent() {
      StreamTree tree = Trees.of("o: a b c d", "a: a1 a2 a3");
      tree.reportStarving("a1", "a", 0.0, 1000, RULE);
      assertThat(tree.isDemoted("a")).isFalse();
      List<Move> moves = tree.reportStarving("a2", "a", 0.04, 61_000, RULE);
      assertThat(tree.isDemoted("a")).isTrue();
      assertThat(childrenOf(tree, "a")).isEmpty();
      assertThat(moves).extracting(Move::nodeId).containsExactlyInAnyOrder("a2", "a3");
      assertThat(tree.setCapacity("a", 4)).isEmpty();
      assertThat(tree.node("a").capacity()).isZero();
      tree.validate();
    }

    @Test
    void theSameChildTwiceOrWithheldReportsFarApartDemoteNobody() {
      StreamTree tree = Trees.of("o: a b c d", "a: a1 a2 a3", "b: b1 b2");
      tree.reportStarving("a1", "a", 0, 1000, RULE);
      tree.reportStarving("a1", "a", 0, 1000, RULE); // a1 is no longer a's child: nothing happens
      assertThat(tree.node("a").capacity()).isEqualTo(2);
      tree.reportStarving("a2", "a", 0, 62_000, RULE); // 61 s after the first
      assertThat(tree.isDemoted("a")).isFalse();
      tree.reportStarving("b1", "b", 0, 70_000, RULE);
      assertThat(tree.isDemoted("b")).isFalse();
      tree.validate();
    }

    @Test
    void aParentThatIsNotFedItselfIsNeverStruck() {
      // a reported its own parent p: what a's children miss, a never got. p is struck, not a.
      StreamTree tree = Trees.of("o: p b c d", "p: a", "a: a1 a2");
      tree.reportStarving("a", "p", 0, 1000, RULE);
      String under = parentOf(tree, "a");
      tree.reportStarving("a1", "a", 0, 2000, RULE);
      tree.reportStarving("a2", "a", 0, 3000, RULE);
      assertThat(tree.isDemoted("a")).isFalse();
      assertThat(under).isNotEqualTo("p");
      tree.validate();
    }

    @Test
    void aDemotionEndsAfterItsBarAndAQuietPeriodWithOneTrialSlot() {
      StreamTree tree = Trees.of("o: a b c d", "a: a1 a2");
      tree.reportStarving("a1", "a", 0, 0, RULE);
      tree.reportStarving("a2", "a", 0, 0, RULE); // backoff 2: 120 s quiet periods
      long ends = 600_000 + 120_000;
      assertThat(tree.nextEarnAt("a", RULE)).isEqualTo(ends);
      tree.setCapacity("a", 4, ends - 1, RULE);
      assertThat(tree.isDemoted("a")).isTrue();
      tree.setCapacity("a", 4, ends, RULE);
      assertThat(tree.isDemoted("a")).isFalse();
      assertThat(tree.node("a").capacity()).isEqualTo(1);
      tree.validate();
    }

    @Test
    void aDemotedParentReofferingNothingIsDemotedAtOnceForTwiceAsLong() {
      StreamTree tree = Trees.of("o: a b c/0 d/0", "a: a1 a2", "b: b1/0 b2/0 b3/0");
      tree.reportStarving("a1", "a", 0, 0, RULE);
      tree.reportStarving("a2", "a", 0, 0, RULE);
      long ends = 720_000;
      tree.setCapacity("a", 4, ends, RULE);
      // A newcomer lands in a's trial slot, the shallowest; its first withheld report is enough.
      tree.join(NodeSpec.viewer("n", 0, ends));
      assertThat(parentOf(tree, "n")).isEqualTo("a");
      tree.reportStarving("n", "a", 0, ends + 10_000, RULE);
      assertThat(tree.isDemoted("a")).isTrue();
      assertThat(tree.demotions("a")).isEqualTo(2);
      assertThat(tree.nextEarnAt("a", RULE)).isGreaterThanOrEqualTo(ends + 10_000 + 1_200_000);
      tree.validate();
    }

    @Test
    void theRootAndBoostersAreNeverDemoted() {
      StreamTree tree = Trees.of("o: r1 r2 +bst c", "bst: b1 b2", "c: c1/0");
      tree.reportStarving("r1", "o", 0, 1000, RULE);
      tree.reportStarving("r2", "o", 0, 1001, RULE);
      tree.reportStarving("b1", "bst", 0, 1002, RULE);
      tree.reportStarving("b2", "bst", 0.3, 1003, RULE);
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
