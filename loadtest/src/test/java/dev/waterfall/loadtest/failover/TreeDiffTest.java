package dev.waterfall.loadtest.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class TreeDiffTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static TreeSnapshot tree(String json) throws Exception {
    return TreeSnapshot.of(JSON.readTree(json));
  }

  @Test
  void findsLostMovedAddedAndDisconnectedEntries() throws Exception {
    TreeSnapshot before = tree("""
        {"stream":"s","size":5,"nodes":[
          {"id":"o","role":"origin","parent":null,"connected":true},
          {"id":"b","role":"booster","parent":"o","connected":true},
          {"id":"v1","role":"viewer","parent":"b","connected":true},
          {"id":"v2","role":"viewer","parent":"b","connected":true},
          {"id":"v3","role":"viewer","parent":"v1","connected":true}]}""");
    TreeSnapshot after = tree("""
        {"stream":"s","size":5,"nodes":[
          {"id":"o","role":"origin","parent":null,"connected":true},
          {"id":"v1","role":"viewer","parent":"o","connected":true},
          {"id":"v2","role":"viewer","parent":"v1","connected":false},
          {"id":"v3","role":"viewer","parent":"v1","connected":true},
          {"id":"v4","role":"viewer","parent":"v3","connected":true}]}""");
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
  void anUnchangedTreeLosesAndMovesNothing() throws Exception {
    String json = """
        {"nodes":[{"id":"o","role":"origin","parent":null},{"id":"v","role":"viewer","parent":"o"}]}""";
    TreeDiff d = TreeDiff.between(tree(json), tree(json));
    assertThat(d.lost()).isEmpty();
    assertThat(d.moved()).isZero();
    assertThat(d.added()).isZero();
    assertThat(d.disconnectedAfter()).isZero(); // "connected" absent counts as connected
  }

  @Test
  void anEntryWithoutAnIdIsRefused() {
    assertThatThrownBy(() -> tree("""
        {"nodes":[{"role":"viewer","parent":"o"}]}""")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("without an id");
  }
}
