package dev.waterfall.e2e;

import static dev.waterfall.e2e.PageViewer.node;
import static dev.waterfall.e2e.PageViewer.number;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Page;
import dev.waterfall.relay.Relay;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the page's upload control and its device limits")
class BrowserUploadIT extends BrowserFixture {

  @Test
  @DisplayName(
      "turning upload off mid-play: capacity 0, the child moves away, nobody stalls; back on: a new place with slots")
  void uploadOffMidPlay() throws Exception {
    String stream = "uploadtoggle";
    // maxChildren 2, no booster: origin → A, B; A → C.
    Relay[] relays = relays(stream, 2, false);
    PageViewer a = PageViewer.open(chromium, "A", rig.base, stream, "");
    a.waitPlaying();
    PageViewer b = PageViewer.open(chromium, "B", rig.base, stream, "");
    b.waitPlaying();
    PageViewer c = PageViewer.open(chromium, "C", rig.base, stream, "");
    c.waitPlaying();
    String aId = a.nodeId();
    String bId = b.nodeId();
    c.waitFor("p => window.waterfall.state.parentId === p", aId, 20_000);
    assertThat(a.page.isChecked("#upload")).as("upload is on by default").isTrue();

    double aAt = a.currentTime();
    double cAt = c.currentTime();
    a.page.click("#upload"); // off
    c.waitFor("p => window.waterfall.state.parentId === p", bId, 15_000);
    a.waitFor("() => window.waterfall.state.children === 0", null, 15_000);
    JsonNode tree = treeView(stream);
    String why = "tree " + tree + "\n" + a.describe() + "\n" + c.describe();
    JsonNode aNode = node(tree, aId);
    assertThat(aNode).as("A keeps its place; " + why).isNotNull();
    assertThat(aNode.get("capacity").intValue()).as(why).isZero();
    assertThat(aNode.get("children").size()).as(why).isZero();
    assertThat(node(tree, c.nodeId()).get("parent").textValue()).as(why).isEqualTo(bId);
    Map<String, Object> aState = a.state();
    assertThat(aState.get("upload")).isEqualTo(false);
    assertThat(aState.get("uploadReason")).isEqualTo("user");
    assertThat(aState.get("nodeId")).as("same place").isEqualTo(aId);
    a.waitTime(aAt + 8, 30_000);
    c.waitTime(cAt + 8, 30_000);
    for (PageViewer p : List.of(a, b, c)) {
      assertThat(number(p.state(), "stallsDataLate"))
          .as(p.name + " stalls; " + p.describe())
          .isZero();
    }

    // Back on: the coordinator never raises a place's slots from 0, so the page leaves and joins
    // again.
    aAt = a.currentTime();
    a.page.click("#upload");
    a.waitFor(
        "id => window.waterfall.state.nodeId !== id && window.waterfall.state.parentId !== null",
        aId,
        20_000);
    a.waitTime(aAt + 6, 30_000);
    tree = treeView(stream);
    why = "tree " + tree + "\n" + a.describe();
    String newId = a.nodeId();
    assertThat(node(tree, aId)).as(why).isNull();
    assertThat(node(tree, newId).get("capacity").intValue()).as(why).isEqualTo(2);
    assertThat(a.state().get("upload")).isEqualTo(true);
    assertThat(number(a.state(), "stallsDataLate")).as("A stalls; " + why).isZero();
    System.out.println("BrowserUploadIT: " + why);

    for (PageViewer p : List.of(a, b, c)) {
      p.close();
    }
    for (Relay r : relays) {
      r.close();
    }
  }

  @Test
  @DisplayName("a page on a low battery or a cellular link joins leaf-only")
  void deviceLimitsMakeALeaf() throws Exception {
    String stream = "uploaddevice";
    Relay[] relays = relays(stream, 2, false);
    Page battery = chromium.newPeerPage();
    battery.addInitScript(
        "navigator.getBattery = () => Promise.resolve("
            + "{level: 0.1, charging: false, addEventListener() {}})");
    Page cellular = chromium.newPeerPage();
    cellular.addInitScript(
        "Object.defineProperty(navigator, 'connection', "
            + "{value: {type: 'cellular', saveData: false, addEventListener() {}}})");
    PageViewer low = PageViewer.open("low-battery", battery, rig.base, stream, "");
    PageViewer cell = PageViewer.open("cellular", cellular, rig.base, stream, "");
    low.waitJoined();
    cell.waitJoined();
    JsonNode tree = treeView(stream);
    String why = "tree " + tree + "\n" + low.describe() + "\n" + cell.describe();
    for (var e : Map.of(low, "low-battery", cell, "cellular").entrySet()) {
      Map<String, Object> s = e.getKey().state();
      assertThat(s.get("upload")).as(why).isEqualTo(false);
      assertThat(s.get("uploadReason")).as(why).isEqualTo(e.getValue());
      assertThat(node(tree, (String) s.get("nodeId")).get("capacity").intValue()).as(why).isZero();
      assertThat(e.getKey().page.isChecked("#upload")).isFalse();
    }
    low.close();
    cell.close();
    for (Relay r : relays) {
      r.close();
    }
  }
}
