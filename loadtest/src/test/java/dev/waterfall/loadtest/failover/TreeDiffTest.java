package dev.waterfall.loadtest.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.waterfall.coordinator.cluster.NodeView;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TreeDiffTest {
  private static final Set<String> LIVE = Set.of("member-1");

  private static TreeSnapshot snapshot(List<NodeView> nodes) {
    return TreeSnapshot.of(nodes, LIVE);
  }

  private static NodeView node(String id, String role, String parent, boolean connected) {
    return new NodeView(id, role, parent, 0, List.of(), 4, 0, connected ? "member-1" : "gone");
  }

  @Test
  void findsLostMovedAddedAndDisconnectedEntries() {
    TreeSnapshot before =
        snapshot(
            List.of(
                node("o", "origin", null, true),
                node("b", "booster", "o", true),
                node("v1", "viewer", "b", true),
                node("v2", "viewer", "b", true),
                node("v3", "viewer", "v1", true)));
    TreeSnapshot after =
        snapshot(
            List.of(
                node("o", "origin", null, true),
                node("v1", "viewer", "o", true),
                node("v2", "viewer", "v1", false),
                node("v3", "viewer", "v1", true),
                node("v4", "viewer", "v3", true)));
    TreeDiff d = TreeDiff.between(before, after);
    assertThat(d.before()).isEqualTo(5);
    assertThat(d.after()).isEqualTo(5);
    assertThat(d.lost()).containsExactly("b");
    assertThat(d.lostByRole()).containsOnlyKeys("booster").containsEntry("booster", 1);
    assertThat(d.moved()).isEqualTo(2); // v1 (b → o) and v2 (b → v1); v3 kept v1, o kept no parent
    assertThat(d.added()).isEqualTo(1);
    assertThat(d.disconnectedAfter()).isEqualTo(1);
  }

  @Test
  void anUnchangedTreeLosesAndMovesNothing() {
    List<NodeView> nodes = List.of(node("o", "origin", null, true), node("v", "viewer", "o", true));
    TreeDiff d = TreeDiff.between(TreeSnapshot.of(nodes, LIVE), TreeSnapshot.of(nodes, LIVE));
    assertThat(d.lost()).isEmpty();
    assertThat(d.moved()).isZero();
    assertThat(d.added()).isZero();
    assertThat(d.disconnectedAfter()).isZero();
  }

  @Test
  void anEntryWithoutAnIdIsRefused() {
    assertThatThrownBy(() -> snapshot(List.of(node(null, "viewer", "o", true))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("without an id");
  }
}
