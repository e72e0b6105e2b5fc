package dev.waterfall.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Page;
import dev.waterfall.relay.Relay;
import dev.waterfall.relay.peer.ThreadCpu;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A Java booster in a realtime stream: publisher page → booster (this JVM, webrtc-java) → viewer
 * pages. The booster receives the publisher's tracks and sends them to each child, libwebrtc
 * decoding once and encoding once per child; the test prints this JVM's CPU (the booster is its
 * only libwebrtc user) with 1 and 3 children.
 */
@DisplayName("realtime mode: a Java booster forwards the publisher's tracks to viewer pages")
class RealtimeBoosterIT extends BrowserFixture {
  private static final int WINDOW_S = ThreadCpu.window(20);

  @Test
  @DisplayName("publisher page → booster → 3 viewer pages: every page under the booster decodes")
  void boosterForwardsMediaTracks() throws Exception {
    String stream = "realtime-boost";
    String key = rig.createRealtimeStream(stream, 3);
    Page publisher = publishCamera(rig.base, stream, key, "width=320&height=240&fps=15");

    Relay booster = rig.booster(stream);
    String boosterId = booster.node().nodeId();
    waitUntil(
        () -> booster.node().framesFromParent() > 0,
        20_000,
        "the booster receives the publisher's video");

    // maxChildren 3: the booster took one of the publisher's slots, two viewers take the others
    // (the origin is the best parent), and the rest land under the booster.
    List<Page> viewers = new ArrayList<>();
    List<Page> underBooster = new ArrayList<>();
    Map<String, Long> oneChild = null;
    while (underBooster.size() < 3) {
      Page v = chromium.newPeerPage();
      v.navigate(rig.base + "/watch/" + stream);
      v.waitForFunction(
          "() => window.waterfall && window.waterfall.state.parentId !== null"
              + " && window.waterfall.state.framesDecoded > 0",
          null,
          new Page.WaitForFunctionOptions().setTimeout(30_000).setPollingInterval(100));
      viewers.add(v);
      if (boosterId.equals(v.evaluate("() => window.waterfall.state.parentId"))) {
        underBooster.add(v);
        if (underBooster.size() == 1) {
          oneChild = ThreadCpu.over(WINDOW_S);
        }
      }
      assertThat(viewers.size())
          .as("pages land under the booster; tree " + tree(stream))
          .isLessThanOrEqualTo(6);
    }
    assertThat(booster.node().children()).isEqualTo(3);
    List<Double> before = frames(underBooster);
    Map<String, Long> threeChildren = ThreadCpu.over(WINDOW_S);
    List<Double> after = frames(underBooster);
    for (int i = 0; i < underBooster.size(); i++) {
      assertThat(after.get(i))
          .as("frames decoded rise under the booster: " + before + " → " + after)
          .isGreaterThan(before.get(i) + WINDOW_S * 15 / 4.0);
    }
    JsonNode tree = tree(stream);
    for (JsonNode n : tree.get("nodes")) {
      if (n.get("id").textValue().equals(boosterId)) {
        assertThat(n.get("children").size()).as("tree " + tree).isEqualTo(3);
      }
    }
    double one = percent(oneChild);
    double three = percent(threeChildren);
    System.out.printf(
        "RealtimeBoosterIT: booster JVM CPU, %d s windows, 320x240 15 fps: 1 child %.1f %%,"
            + " 3 children %.1f %% of a core → %.1f %% per added child; frames under the booster %s → %s%n",
        WINDOW_S, one, three, (three - one) / 2, before, after);
    System.out.println(
        "RealtimeBoosterIT: by thread, 1 child "
            + top(oneChild)
            + "; 3 children "
            + top(threeChildren));
    for (Page v : viewers) {
      v.context().close();
    }
    booster.close();
    publisher.context().close();
  }

  private static List<Double> frames(List<Page> pages) {
    return pages.stream()
        .map(
            p ->
                ((Number) p.evaluate("() => window.waterfall.realtime.framesDecoded"))
                    .doubleValue())
        .toList();
  }

  private static JsonNode tree(String stream) {
    return Http.json(rig.base + "/api/streams/" + stream + "/tree");
  }

  private static void waitUntil(
      java.util.function.BooleanSupplier condition, long timeoutMs, String what)
      throws InterruptedException {
    long end = System.currentTimeMillis() + timeoutMs;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > end) {
        throw new AssertionError("timed out: " + what);
      }
      Thread.sleep(100);
    }
  }

  private static double percent(Map<String, Long> cpuMs) {
    return cpuMs.values().stream().mapToLong(Long::longValue).sum() / (WINDOW_S * 10.0);
  }

  private static String top(Map<String, Long> cpuMs) {
    StringBuilder b = new StringBuilder();
    cpuMs.entrySet().stream()
        .filter(e -> e.getValue() >= WINDOW_S * 10L)
        .sorted((x, y) -> Long.compare(y.getValue(), x.getValue()))
        .forEach(
            e ->
                b.append(
                    String.format("%s %.1f %%, ", e.getKey(), e.getValue() / (WINDOW_S * 10.0))));
    return b.toString();
  }
}
