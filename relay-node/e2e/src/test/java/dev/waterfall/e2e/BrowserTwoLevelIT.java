package dev.waterfall.e2e;

import static dev.waterfall.e2e.PageViewer.node;
import static dev.waterfall.e2e.PageViewer.number;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.waterfall.relay.Relay;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("six browser pages in two levels under an origin and a booster")
class BrowserTwoLevelIT extends BrowserFixture {
  /**
   * Pages in the test (-Dit.pages=N). Six, not eight: eight pages beside the coordinator and both
   * relays kept 2 cores at a load of 12–13, and the run then measured the machine (pages too
   * starved to append what they held) rather than the tree. Six with 2 slots a node still give
   * three pages under pages.
   */
  static final int PAGES = Integer.getInteger("it.pages", 6);

  /**
   * Slots per node: origin → booster + p1; booster → 2 pages; p1 → 2 pages; the 6th page under a
   * booster's page.
   */
  static final int SLOTS = 2;

  @Test
  @DisplayName(
      "every page plays ≥ 10 s without a stall; pages under pages take ≥ 90% of their bytes from them")
  void twoLevelsOfPages() throws Exception {
    String stream = "twolevel";
    Relay[] relays = relays(stream, SLOTS, true);
    String originId = relays[0].node().nodeId();
    String boosterId = relays[1].node().nodeId();

    long began = System.nanoTime();
    List<PageViewer> pages = new ArrayList<>();
    for (int i = 0; i < PAGES; i++) {
      PageViewer p = PageViewer.open(chromium, "p" + (i + 1), rig.base, stream, "");
      p.waitJoined(); // one at a time, so places are handed out in order
      pages.add(p);
    }
    for (PageViewer p : pages) {
      p.waitPlaying();
    }
    System.out.printf(
        "BrowserTwoLevelIT: %d pages playing after %.1f s%n",
        PAGES, (System.nanoTime() - began) / 1e9);
    // The first few seconds may come over HTTP while links form: measure from here on.
    pages.get(0).page.waitForTimeout(4000);
    Map<PageViewer, Map<String, Object>> before = new HashMap<>();
    Map<PageViewer, Double> startTimes = new HashMap<>();
    for (PageViewer p : pages) {
      before.put(p, p.state());
      startTimes.put(p, p.currentTime());
    }
    for (PageViewer p : pages) {
      p.waitTime(startTimes.get(p) + 10, 60_000);
    }
    Thread.sleep(300); // one more state refresh (every 250 ms)
    Map<PageViewer, Map<String, Object>> after = new HashMap<>();
    for (PageViewer p : pages) {
      after.put(p, p.state());
    }
    JsonNode tree = Http.json(rig.base + "/api/streams/" + stream + "/tree");
    String why =
        "tree "
            + tree
            + "\n"
            + pages.stream().map(PageViewer::describe).collect(Collectors.joining("\n"));
    System.out.println("BrowserTwoLevelIT: " + why);

    Map<String, PageViewer> byId = new HashMap<>();
    for (PageViewer p : pages) {
      byId.put((String) after.get(p).get("nodeId"), p);
    }
    assertThat(tree.get("size").intValue()).as(why).isEqualTo(PAGES + 2);
    // A page whose parent delivered under half of its bytes for 10 s reports it starving and is
    // moved (the product's answer to a slow parent, seen at 8 pages on a loaded machine). The tree
    // is then the coordinator's answer, not the join order: its exact shape is asserted only when
    // nobody was moved. What a viewer notices is not.
    boolean moved = pages.stream().anyMatch(p -> starvingReports(after.get(p)) > 0);
    List<PageViewer> underPages = new ArrayList<>();
    for (PageViewer p : pages) {
      Map<String, Object> s = after.get(p);
      assertThat(s.get("mode")).as(p.name + " " + why).isEqualTo("p2p");
      assertThat(number(s, "stallsDataLate"))
          .as(p.name + " stalls with data late; " + why)
          .isZero();
      assertThat(p.currentTime() - startTimes.get(p)).as(p.name).isGreaterThanOrEqualTo(10);
      JsonNode n = node(tree, (String) s.get("nodeId"));
      assertThat(n).as(p.name + " in the tree; " + why).isNotNull();
      String parent = n.get("parent").textValue();
      assertThat(s.get("parentId")).as(p.name + " linked to its parent; " + why).isEqualTo(parent);
      assertThat(n.get("children").size()).as(why).isLessThanOrEqualTo(SLOTS);
      if (byId.containsKey(parent)) {
        underPages.add(p);
        // Two levels of pages: a page's parent page hangs under a relay.
        String grandparent = node(tree, parent).get("parent").textValue();
        if (!moved) {
          assertThat(grandparent)
              .as(p.name + "'s parent's parent; " + why)
              .isIn(originId, boosterId);
        }
        double fromParent = number(s, "bytesFromParent") - number(before.get(p), "bytesFromParent");
        double byFallback = number(s, "bytesByFallback") - number(before.get(p), "bytesByFallback");
        assertThat(fromParent).as(p.name + " " + why).isGreaterThan(0);
        assertThat(fromParent / (fromParent + byFallback))
            .as(p.name + "'s P2P share after its first seconds; " + why)
            .isGreaterThanOrEqualTo(0.9);
        assertThat(number(after.get(byId.get(parent)), "bytesSentToChildren"))
            .as(why)
            .isGreaterThan(0);
      } else {
        assertThat(parent).as(p.name + " " + why).isIn(originId, boosterId);
      }
      // Two lanes to the parent, Java or page (architecture.md, "Lanes"), and the second carried
      // chunks: a chunk goes on it whenever its queue is the shorter.
      JsonNode link = new ObjectMapper().valueToTree(s).path("p2p").path("links").path("parent");
      assertThat(link.path("lanes").asInt()).as(p.name + "'s lanes; " + why).isEqualTo(2);
      assertThat(link.path("laneBytes").path(1).asLong())
          .as(p.name + "'s second lane carried chunks; " + why)
          .isGreaterThan(64 * 1024);
      // Pages under pages under a relay: depth 3 at most; one level more after a move.
      assertThat(n.get("depth").intValue())
          .as(p.name + "'s depth; " + why)
          .isLessThanOrEqualTo(moved ? 4 : 3);
    }
    for (PageViewer p : pages) {
      Map<String, Object> s = after.get(p);
      double fromParent = number(s, "bytesFromParent") - number(before.get(p), "bytesFromParent");
      double byFallback = number(s, "bytesByFallback") - number(before.get(p), "bytesByFallback");
      System.out.printf(
          "BrowserTwoLevelIT: %s depth %s under a %s: P2P share %.3f since its first seconds, "
              + "%s kbps, %s s behind live, %s s buffered, %s children, %s stalls (%s with the page too busy)%n",
          p.name,
          s.get("depth"),
          underPages.contains(p) ? "page" : "relay",
          fromParent / Math.max(1, fromParent + byFallback),
          s.get("bitrateKbps"),
          s.get("liveEdgeDistance"),
          s.get("bufferSeconds"),
          s.get("children"),
          s.get("waitingAfterStart"),
          s.get("stallsPageBusy"));
    }
    // 6 pages: 1 under the origin, 2 under the booster, 3 under pages (after a move: at least as
    // many).
    if (moved) {
      System.out.println("BrowserTwoLevelIT: a page reported its parent starving and was moved");
      assertThat(underPages)
          .as("pages whose parent is a page; " + why)
          .hasSizeGreaterThanOrEqualTo(PAGES - 3);
    } else {
      assertThat(underPages)
          .as("pages whose parent is a page; " + why)
          .hasSize(Math.max(0, PAGES - 3));
    }

    PageViewer shown = underPages.isEmpty() ? pages.get(0) : underPages.get(0);
    shown.page.keyboard().press("s"); // the stats overlay, in the screenshot
    shown.page.waitForTimeout(700);
    shown.screenshot(SCREENSHOTS, "two-level-player.png");
    Map<String, Object> shownState = shown.state();
    assertThat(shown.page.isVisible("#overlay")).isTrue();
    assertThat(shown.page.textContent("#overlay")).contains("depth", "P2P share", "live edge");
    assertThat(number(shownState, "bitrateKbps"))
        .as("measured bitrate of the ~900 kbps sample")
        .isBetween(300.0, 3000.0);
    assertThat(number(shownState, "liveEdgeDistance"))
        .as("behind the live edge")
        .isBetween(0.0, 30.0);
    assertThat(number(shownState, "bufferSeconds")).isGreaterThan(0);

    for (PageViewer p : pages) {
      p.close();
    }
    for (Relay r : relays) {
      r.close();
    }
  }

  /** The page's {@code starving} reports about its parent (state.p2p, set once it made one). */
  private static int starvingReports(Map<String, Object> state) {
    return state.get("p2p") instanceof Map<?, ?> p2p
            && p2p.get("starvingReports") instanceof Number n
        ? n.intValue()
        : 0;
  }
}
