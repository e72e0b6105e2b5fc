package dev.waterfall.e2e;

import static dev.waterfall.e2e.PageViewer.node;
import static dev.waterfall.e2e.PageViewer.number;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.waterfall.coordinator.Coordinator;
import dev.waterfall.relay.Relay;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName(
    "browser pages repair the tree: a parent page leaves or crashes, the signalling socket drops")
class BrowserRepairIT extends BrowserFixture {
  /** How long a child may take to be linked to its new parent. */
  static final int REPARENT_BOUND_MS = 15_000;

  @Test
  @DisplayName(
      "a page with children leaves (pagehide), then one crashes: the children play on under a new parent")
  void childrenOfALeavingOrCrashingPageGetANewParent() throws Exception {
    String stream = "repair";
    // maxChildren 1: origin → booster → A → B → C, a chain.
    Relay[] relays = relays(stream, 1, true);
    String boosterId = relays[1].node().nodeId();
    PageViewer a = PageViewer.open(chromium, "A", rig.base, stream, "");
    a.waitPlaying();
    PageViewer b = PageViewer.open(chromium, "B", rig.base, stream, "");
    b.waitPlaying();
    PageViewer c = PageViewer.open(chromium, "C", rig.base, stream, "");
    c.waitPlaying();
    String aId = a.nodeId();
    String bId = b.nodeId();
    c.waitFor("p => window.waterfall.state.parentId === p", bId, 20_000);
    b.waitFor("p => window.waterfall.state.parentId === p", aId, 20_000);
    assertThat(((Number) a.state().get("children")).intValue()).as(a.describe()).isEqualTo(1);

    // A leaves: pagehide → `leave` and its links closed. The event is dispatched by hand because
    // whether a frame sent while a document unloads still leaves the browser cannot be observed
    // here (Playwright and CDP stop reporting the socket's frames once the unload begins); a real
    // unload also closes the socket, which a live coordinator takes for a departure just the same
    // (the crash below). With the default repair (leaf-swap) the deepest leaf, C, takes A's place
    // and adopts B; whatever the strategy, both must end up linked to a live parent, as the tree
    // says.
    double bAt = b.currentTime();
    double cAt = c.currentTime();
    long t0 = System.nanoTime();
    a.page.evaluate(
        "() => window.dispatchEvent(new PageTransitionEvent('pagehide', {persisted: false}))");
    JsonNode tree = awaitRelinked(stream, aId, b, c);
    double leaveRepairS = (System.nanoTime() - t0) / 1e9;
    String why = "tree " + tree + "\n" + b.describe() + "\n" + c.describe();
    assertThat(node(tree, aId)).as("A is gone; " + why).isNull();
    assertThat(a.sent).as("A said it leaves, on pagehide").endsWith("leave");
    a.close();
    assertThat(b.state().get("parentId")).as("B has a new parent; " + why).isNotEqualTo(aId);
    b.waitTime(bAt + 8, 30_000);
    c.waitTime(cAt + 8, 30_000);
    for (PageViewer p : List.of(b, c)) {
      assertThat(number(p.state(), "stallsDataLate"))
          .as(p.name + " stalls; " + p.describe())
          .isZero();
    }

    // Now the page that has a child crashes: no pagehide, no leave; the coordinator sees its socket
    // drop.
    tree = treeView(stream);
    PageViewer parent = node(tree, b.nodeId()).get("children").size() > 0 ? b : c;
    PageViewer child = parent == b ? c : b;
    String parentId = parent.nodeId();
    assertThat(child.state().get("parentId")).as("tree " + tree).isEqualTo(parentId);
    double childAt = child.currentTime();
    t0 = System.nanoTime();
    parent.crash();
    tree = awaitRelinked(stream, parentId, child);
    double crashRepairS = (System.nanoTime() - t0) / 1e9;
    child.waitTime(childAt + 8, 30_000);
    why = "tree " + tree + "\n" + child.describe();
    System.out.printf(
        "BrowserRepairIT: relinked %.1f s after A left, %.1f s after %s crashed; %s%n",
        leaveRepairS, crashRepairS, parent.name, why);
    assertThat(node(tree, parentId)).as(parent.name + " is gone; " + why).isNull();
    assertThat(node(tree, child.nodeId()).get("parent").textValue()).as(why).isEqualTo(boosterId);
    assertThat(number(child.state(), "stallsDataLate")).as(child.name + " stalls; " + why).isZero();

    parent.page.context().close();
    child.close();
    for (Relay r : relays) {
      r.close();
    }
  }

  /**
   * Waits (≤ REPARENT_BOUND_MS) until {@code gone} left the tree and each page is linked to a live
   * parent that is the parent the tree names for it; answers the tree.
   */
  private static JsonNode awaitRelinked(String stream, String gone, PageViewer... pages)
      throws Exception {
    long deadline = System.currentTimeMillis() + REPARENT_BOUND_MS;
    for (; ; ) {
      JsonNode tree = treeView(stream);
      boolean done = node(tree, gone) == null;
      for (PageViewer p : pages) {
        Map<String, Object> s = p.state();
        JsonNode n = node(tree, (String) s.get("nodeId"));
        done &=
            n != null
                && !gone.equals(s.get("parentId"))
                && n.get("parent").textValue().equals(s.get("parentId"));
      }
      if (done) {
        return tree;
      }
      if (System.currentTimeMillis() > deadline) {
        StringBuilder why =
            new StringBuilder("not relinked within " + REPARENT_BOUND_MS + " ms; tree " + tree);
        for (PageViewer p : pages) {
          why.append('\n').append(p.describe());
        }
        throw new AssertionError(why);
      }
      Thread.sleep(200);
    }
  }

  @Test
  @DisplayName(
      "a dropped signalling socket on a live coordinator: the page joins again and plays on")
  void droppedSocketRejoins() throws Exception {
    String stream = "drop";
    Relay[] relays = relays(stream, 2, true);
    PageViewer p = PageViewer.open(chromium, "P", rig.base, stream, "");
    p.waitPlaying();
    p.waitFor("() => window.waterfall.state.parentId !== null", null, 20_000);
    String before = p.nodeId();
    double at = p.currentTime();

    p.page.evaluate("() => window.waterfall.node.signalling.drop()");
    // The coordinator took the closed socket for a departure: `resume` is refused (unknown-node)
    // and the page joins afresh, keeping its media flowing meanwhile.
    p.waitFor(
        "id => window.waterfall.state.nodeId !== id && window.waterfall.state.signalling.connected"
            + " && window.waterfall.state.parentId !== null",
        before,
        20_000);
    p.waitTime(at + 8, 30_000);
    Map<String, Object> s = p.state();
    JsonNode tree = treeView(stream);
    String why = "tree " + tree + "\n" + p.describe();
    System.out.println("BrowserRepairIT: after a drop " + why);
    @SuppressWarnings("unchecked")
    Map<String, Object> sig = (Map<String, Object>) s.get("signalling");
    assertThat(number(sig, "drops")).as(why).isEqualTo(1);
    assertThat(p.sent)
        .as("join, then resume (refused: unknown-node) and join again on the new socket")
        .containsExactly("join", "resume", "join");
    assertThat(number(sig, "resumes")).as("it tried to resume first; " + why).isEqualTo(1);
    assertThat(number(sig, "rejoins")).as(why).isEqualTo(1);
    assertThat(node(tree, before)).as(why).isNull();
    JsonNode n = node(tree, (String) s.get("nodeId"));
    assertThat(n).as(why).isNotNull();
    assertThat(n.get("connected").booleanValue()).as(why).isTrue();
    assertThat(n.get("parent").textValue()).as(why).isEqualTo(s.get("parentId"));
    assertThat(number(s, "stallsDataLate")).as(why).isZero();
    p.close();
    for (Relay r : relays) {
      r.close();
    }
  }

  @Test
  @DisplayName(
      "its coordinator restarts: the page resumes its place (same id, same parent) and plays on")
  void resumesOnARestartedCoordinator() throws Exception {
    String stream = "resume";
    Relay[] relays = relays(stream, 2, true);
    // The page talks to a second coordinator of the rig's cluster, which then restarts on the same
    // address.
    Coordinator member = rig.member(0);
    int port = member.port();
    Coordinator restarted = null;
    try {
      PageViewer p = PageViewer.open(chromium, "P", "http://127.0.0.1:" + port, stream, "");
      p.waitPlaying();
      p.waitFor("() => window.waterfall.state.parentId !== null", null, 20_000);
      String id = p.nodeId();
      String parent = (String) p.state().get("parentId");
      double at = p.currentTime();

      member.stop(); // its nodes keep their places for liveness.resumeGraceMs
      member = null;
      restarted = rig.member(port);
      p.waitFor(
          "() => window.waterfall.state.signalling.resumed >= 1 && window.waterfall.state.signalling.connected",
          null,
          20_000);
      p.waitTime(at + 8, 30_000);
      Map<String, Object> s = p.state();
      JsonNode tree = treeView(stream);
      String why = "tree " + tree + "\n" + p.describe();
      System.out.println("BrowserRepairIT: after a coordinator restart " + why);
      assertThat(s.get("nodeId")).as(why).isEqualTo(id);
      assertThat(p.sent).as(why).startsWith("join", "resume").doesNotContain("leave");
      assertThat(p.sent.stream().filter("join"::equals).count())
          .as("no second join; " + why)
          .isEqualTo(1);
      assertThat(s.get("parentId")).as(why).isEqualTo(parent);
      JsonNode n = node(tree, id);
      assertThat(n).as(why).isNotNull();
      assertThat(n.get("connected").booleanValue()).as(why).isTrue();
      assertThat(n.get("parent").textValue()).as(why).isEqualTo(parent);
      assertThat(number(s, "stallsDataLate")).as(why).isZero();
      p.close();
    } finally {
      if (member != null) {
        member.stop();
      }
      if (restarted != null) {
        restarted.stop();
      }
      for (Relay r : relays) {
        r.close();
      }
    }
  }
}
