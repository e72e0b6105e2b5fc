package dev.waterfall.e2e;

import static dev.waterfall.e2e.StreamRig.sequences;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Page;
import dev.waterfall.relay.Relay;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("browser pages forwarding to browser pages in headless Chromium")
class BrowserTreeIT extends BrowserFixture {

  @Test
  @DisplayName("origin → booster → page A → page B: both play, B takes ≥ 90% of its bytes from A")
  void pageForwardsToPage() throws Exception {
    String stream = "browsertree";
    // maxChildren 1: origin → booster → A → B, a chain.
    Relay[] relays = relays(stream, 1);
    String boosterId = relays[1].node().nodeId();

    Viewer a = open(stream, "");
    a.waitPlaying();
    a.page.waitForFunction(
        "p => window.waterfall.state.parentId === p",
        boosterId,
        new Page.WaitForFunctionOptions().setTimeout(20_000).setPollingInterval(100));
    Viewer b = open(stream, "");
    b.waitPlaying();
    double aFirst = a.currentTime();
    double bFirst = b.currentTime();
    b.page.waitForTimeout(4000);
    Map<String, Object> bAtFour = b.state();
    b.page.waitForFunction(
        "t => window.waterfall.video.currentTime >= t",
        bFirst + 8,
        new Page.WaitForFunctionOptions().setTimeout(40_000).setPollingInterval(250));
    a.page.waitForFunction(
        "t => window.waterfall.video.currentTime >= t",
        aFirst + 8,
        new Page.WaitForFunctionOptions().setTimeout(20_000).setPollingInterval(250));
    Thread.sleep(300); // one more state refresh (every 250 ms)
    a.screenshot("tree-page-a.png");
    b.screenshot("tree-page-b.png");
    Map<String, Object> aEnd = a.state();
    Map<String, Object> bEnd = b.state();
    String why =
        "A "
            + aEnd
            + ", B "
            + bEnd
            + ", B at 4 s "
            + bAtFour
            + ", console A "
            + a.console
            + ", B "
            + b.console;
    System.out.println("BrowserTreeIT: " + why);

    for (Map<String, Object> s : List.of(aEnd, bEnd)) {
      assertThat(s.get("mode")).as(why).isEqualTo("p2p");
      assertThat(number(s, "stallsDataLate")).as(why).isZero();
    }
    String aId = (String) aEnd.get("nodeId");
    assertThat(aEnd.get("parentId")).as(why).isEqualTo(boosterId);
    assertThat(bEnd.get("parentId")).as(why).isEqualTo(aId);
    assertThat(number(bEnd, "depth")).as(why).isEqualTo(3);
    assertThat(number(aEnd, "children")).as(why).isEqualTo(1);
    assertThat(number(aEnd, "bytesSentToChildren")).as(why).isGreaterThan(0);

    double fromParent = number(bEnd, "bytesFromParent") - number(bAtFour, "bytesFromParent");
    double byFallback = number(bEnd, "bytesByFallback") - number(bAtFour, "bytesByFallback");
    assertThat(fromParent).as(why).isGreaterThan(0);
    assertThat(fromParent / (fromParent + byFallback))
        .as("B's P2P share after its first 4 s; " + why)
        .isGreaterThanOrEqualTo(0.9);

    JsonNode tree = tree(stream);
    JsonNode bNode = node(tree, (String) bEnd.get("nodeId"));
    assertThat(bNode).as("B in tree " + tree).isNotNull();
    assertThat(bNode.get("parent").textValue()).as("tree " + tree).isEqualTo(aId);
    assertThat(node(tree, aId).get("parent").textValue()).as("tree " + tree).isEqualTo(boosterId);

    a.close();
    b.close();
    for (Relay r : relays) {
      r.close();
    }
  }

  @Test
  @DisplayName("a page with ?upload=0 is placed but never gets a child")
  void uploadOffNeverGetsChildren() throws Exception {
    String stream = "browserleaf";
    relays(stream, 4);

    Viewer leaf = open(stream, "?upload=0");
    leaf.waitPlaying();
    String leafId = (String) leaf.state().get("nodeId");
    Viewer later = open(stream, "");
    later.waitPlaying();
    later.page.waitForFunction(
        "() => window.waterfall.state.parentId !== null",
        null,
        new Page.WaitForFunctionOptions().setTimeout(20_000).setPollingInterval(100));
    Thread.sleep(300);
    Map<String, Object> leafEnd = leaf.state();
    Map<String, Object> laterEnd = later.state();
    JsonNode tree = tree(stream);
    String why = "leaf " + leafEnd + ", later " + laterEnd + ", tree " + tree;
    System.out.println("BrowserTreeIT: " + why);

    JsonNode leafNode = node(tree, leafId);
    assertThat(leafNode).as(why).isNotNull();
    assertThat(leafNode.get("capacity").intValue()).as(why).isZero();
    assertThat(leafNode.get("children").size()).as(why).isZero();
    assertThat(leafEnd.get("upload")).as(why).isEqualTo(false);
    assertThat(number(leafEnd, "children")).as(why).isZero();
    assertThat(laterEnd.get("parentId")).as(why).isNotEqualTo(leafId);
    JsonNode laterNode = node(tree, (String) laterEnd.get("nodeId"));
    assertThat(laterNode).as(why).isNotNull();
    assertThat(laterNode.get("parent").textValue()).as(why).isNotEqualTo(leafId);
    leaf.close();
    later.close();
  }

  /** The origin and a booster of a new stream, both holding ≥ 3 segments. */
  private static Relay[] relays(String stream, int maxChildren) throws Exception {
    String key = rig.createStream(stream, maxChildren);
    Relay origin = rig.origin(stream, key);
    Relay booster = rig.booster(stream);
    long deadline = System.currentTimeMillis() + 30_000;
    while ((sequences(origin, stream).size() < 3 || sequences(booster, stream).size() < 3)
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(200);
    }
    assertThat(sequences(booster, stream)).as("booster playlist").hasSizeGreaterThanOrEqualTo(3);
    return new Relay[] {origin, booster};
  }

  private static Viewer open(String stream, String query) {
    Viewer v = new Viewer(chromium.newPeerPage());
    v.page.navigate(rig.base + "/watch/" + stream + query);
    return v;
  }

  private static JsonNode tree(String stream) {
    return Http.json(rig.base + "/api/streams/" + stream + "/tree");
  }

  private static JsonNode node(JsonNode tree, String id) {
    for (JsonNode n : tree.get("nodes")) {
      if (n.get("id").textValue().equals(id)) {
        return n;
      }
    }
    return null;
  }

  private static double number(Map<String, Object> state, String key) {
    return ((Number) state.get(key)).doubleValue();
  }

  private static final class Viewer {
    final Page page;
    final List<String> console = Collections.synchronizedList(new ArrayList<>());

    Viewer(Page page) {
      this.page = page;
      page.onConsoleMessage(m -> console.add(m.type() + ": " + m.text()));
      page.onPageError(e -> console.add("pageerror: " + e));
    }

    void waitPlaying() {
      page.waitForFunction(
          "() => window.waterfall && window.waterfall.state.startedAt !== null",
          null,
          new Page.WaitForFunctionOptions().setTimeout(30_000).setPollingInterval(100));
    }

    double currentTime() {
      return ((Number) page.evaluate("() => window.waterfall.video.currentTime")).doubleValue();
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> state() {
      return (Map<String, Object>)
          page.evaluate("() => JSON.parse(JSON.stringify(window.waterfall.state))");
    }

    void screenshot(String name) throws Exception {
      Files.createDirectories(SCREENSHOTS);
      page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(name)));
    }

    void close() {
      page.context().close();
    }
  }
}
