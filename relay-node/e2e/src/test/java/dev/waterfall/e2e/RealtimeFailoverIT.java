package dev.waterfall.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Page;
import dev.waterfall.coordinator.Coordinator;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Realtime pages share the HLS pages' signalling (p2p/signalling.js): when their coordinator goes
 * away they resume on another one from their welcome's list, keeping their ids and places, while
 * media keeps flowing page to page.
 */
@DisplayName(
    "realtime pages resume on another coordinator when theirs stops, and media keeps flowing")
class RealtimeFailoverIT extends BrowserFixture {
  private static final String WAIT =
      "() => { const s = window.waterfall.%s.signalling;"
          + " return s.stats.resumed >= 1 && s.connected; }";

  @Test
  void publisherAndViewerResumeElsewhere() throws Exception {
    String stream = "rtfailover";
    String key = rig.createRealtimeStream(stream, 2);
    Coordinator member = rig.member(0); // both pages start here; it stops under them
    String memberBase = "http://127.0.0.1:" + member.port();
    try {
      Page publisher = publishCamera(memberBase, stream, key, "width=320&height=240&fps=15");
      PageViewer viewer = PageViewer.open(chromium, "V", memberBase, stream, "");
      viewer.waitFor(
          "() => window.waterfall.state.mode === 'realtime' && window.waterfall.state.parentId !== null"
              + " && window.waterfall.state.framesDecoded > 0",
          null,
          30_000);
      String publisherId = (String) publisher.evaluate("() => window.waterfall.node.nodeId");
      String viewerId = (String) viewer.page.evaluate("() => window.waterfall.realtime.nodeId");
      assertThat(viewer.page.evaluate("() => window.waterfall.realtime.parentId"))
          .isEqualTo(publisherId);
      Object changes = viewer.page.evaluate("() => window.waterfall.realtime.stats.parentChanges");

      // closes both sockets with 1012 resume-elsewhere: the rig's coordinator is in their list
      member.stop();
      member = null;
      publisher.waitForFunction(
          String.format(WAIT, "node"),
          null,
          new Page.WaitForFunctionOptions().setTimeout(20_000).setPollingInterval(100));
      viewer.waitFor(String.format(WAIT, "realtime"), null, 20_000);

      double frames = framesDecoded(viewer);
      Thread.sleep(2000);
      String why = viewer.describe() + " tree " + treeView(stream);
      assertThat(framesDecoded(viewer)).as("frames keep coming; " + why).isGreaterThan(frames + 5);
      assertThat(publisher.evaluate("() => window.waterfall.node.nodeId")).isEqualTo(publisherId);
      assertThat(viewer.page.evaluate("() => window.waterfall.realtime.nodeId"))
          .as(why)
          .isEqualTo(viewerId);
      assertThat(viewer.page.evaluate("() => window.waterfall.realtime.parentId"))
          .as(why)
          .isEqualTo(publisherId);
      assertThat(viewer.page.evaluate("() => window.waterfall.realtime.stats.parentChanges"))
          .as("no new edge; " + why)
          .isEqualTo(changes);
      assertThat(viewer.sent).as(why).containsSubsequence("join", "resume").doesNotContain("leave");
      JsonNode tree = treeView(stream);
      for (String id : new String[] {publisherId, viewerId}) {
        JsonNode n = PageViewer.node(tree, id);
        assertThat(n).as(why).isNotNull();
        assertThat(n.get("connected").booleanValue()).as(why).isTrue();
        assertThat(n.get("coordinator").asText()).as(why).isEqualTo(rig.base);
      }
      assertThat(PageViewer.node(tree, viewerId).get("parent").textValue()).isEqualTo(publisherId);
      @SuppressWarnings("unchecked")
      Map<String, Object> stats =
          (Map<String, Object>)
              viewer.page.evaluate("() => window.waterfall.realtime.signalling.stats");
      System.out.println("RealtimeFailoverIT: viewer signalling " + stats + ", tree " + tree);
      viewer.close();
      publisher.context().close();
    } finally {
      if (member != null) {
        member.stop();
      }
    }
  }

  private static double framesDecoded(PageViewer v) {
    return ((Number) v.page.evaluate("() => window.waterfall.realtime.framesDecoded"))
        .doubleValue();
  }
}
