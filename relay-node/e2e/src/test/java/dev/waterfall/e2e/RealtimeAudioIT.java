package dev.waterfall.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Page;
import dev.waterfall.relay.Relay;
import dev.waterfall.relay.peer.ThreadCpu;
import dev.waterfall.relay.realtime.AudioChunkRelay;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Sound through Java boosters: publisher page → 2 boosters → pages → a page under one of them. The
 * publisher encodes its microphone (Chromium's fake one beeps) with WebCodecs once for both booster
 * children and sends the Opus chunks on each edge's rt-audio DataChannel; each booster forwards
 * them verbatim; each page under a booster decodes them into a generated track that plays with the
 * video and goes on as an ordinary track to its own page children. Loudness is read where a
 * listener would hear it: a WebAudio analyser on the track the video element plays. Also: corrupt
 * messages stop at the boosters, and the boosters' CPU with and without audio is printed.
 */
@DisplayName("realtime mode: sound crosses a Java booster as Opus chunks on DataChannels")
class RealtimeAudioIT extends BrowserFixture {
  /** RMS of a beep from the fake microphone is ~0.1–0.3; silence is 0. */
  static final double LOUD = 0.01;

  private static final int WINDOW_S = ThreadCpu.window(10);

  /**
   * Loudest RMS over 3 s of the audio track the page's video element plays, by a WebAudio analyser
   * (WhipIT listens with it too).
   */
  static final String PROBE =
      """
      async () => {
        const track = window.waterfall.video.srcObject && window.waterfall.video.srcObject.getAudioTracks()[0];
        if (!track) return { max: -1, why: 'no audio track' };
        const ctx = new AudioContext();
        await ctx.resume().catch(() => {});
        const an = ctx.createAnalyser();
        an.fftSize = 2048;
        ctx.createMediaStreamSource(new MediaStream([track])).connect(an);
        const buf = new Float32Array(an.fftSize);
        let max = 0;
        const end = performance.now() + 3000;
        while (performance.now() < end) {
          an.getFloatTimeDomainData(buf);
          let s = 0;
          for (const x of buf) s += x * x;
          max = Math.max(max, Math.sqrt(s / buf.length));
          await new Promise((r) => setTimeout(r, 30));
        }
        const why = ctx.state + ' ' + track.readyState + ' ' + track.constructor.name;
        ctx.close();
        return { max: max, why: why };
      }""";

  @Test
  @DisplayName("publisher → booster → pages → page: every page plays the publisher's sound")
  void soundThroughABooster() throws Exception {
    String stream = "realtime-audio";
    String key = rig.createRealtimeStream(stream, 2);
    Page publisher = publishCamera(rig.base, stream, key, "width=320&height=240&fps=15");

    // maxChildren 2 and two boosters under the publisher: placement (shallowest slot, boosters
    // first, then the older node) puts four pages under the boosters and the fifth under the first
    // of those pages.
    Relay booster = rig.booster(stream);
    String boosterId = booster.node().nodeId();
    waitUntil(
        () -> booster.node().framesFromParent() > 0,
        20_000,
        "the booster receives the publisher's video");
    AudioChunkRelay audio = booster.node().realtimeAudio();
    waitUntil(
        () -> audio.received() > 25,
        20_000,
        () ->
            "the booster receives the publisher's audio chunks: "
                + publisher.evaluate("() => JSON.stringify(window.waterfall.state.audio)"));
    Relay second = rig.booster(stream);
    waitUntil(
        () -> second.node().framesFromParent() > 0,
        20_000,
        "the second booster receives the video");
    waitUntil(
        () -> second.node().realtimeAudio().received() > 25,
        20_000,
        "the second booster gets audio too");
    List<String> boosterIds = List.of(boosterId, second.node().nodeId());

    List<Page> pages = new ArrayList<>();
    List<Page> underBooster = new ArrayList<>();
    List<Page> underPages = new ArrayList<>();
    List<Page> underPublisher = new ArrayList<>();
    List<String> boosterChildIds = new ArrayList<>();
    while (underBooster.size() < 2 || underPages.isEmpty()) {
      assertThat(pages.size())
          .as("pages land under the boosters and their children; tree " + tree(stream))
          .isLessThan(6);
      Page v = chromium.newPeerPage();
      v.navigate(rig.base + "/watch/" + stream);
      v.waitForFunction(
          "() => window.waterfall && window.waterfall.state.parentId !== null"
              + " && window.waterfall.state.framesDecoded > 0",
          null,
          new Page.WaitForFunctionOptions().setTimeout(30_000).setPollingInterval(100));
      pages.add(v);
      String parent = (String) v.evaluate("() => window.waterfall.state.parentId");
      if (boosterIds.contains(parent)) {
        underBooster.add(v);
        boosterChildIds.add((String) v.evaluate("() => window.waterfall.state.nodeId"));
      } else if (boosterChildIds.contains(parent)) {
        underPages.add(v);
      } else {
        underPublisher.add(v);
      }
    }

    // Under the booster: chunks decoded into a generated track, rising, loud where the video
    // element plays it.
    for (Page v : underBooster) {
      v.waitForFunction(
          "() => window.waterfall.state.audio && window.waterfall.state.audio.source === 'chunks'"
              + " && window.waterfall.state.audio.decoded > 25",
          null,
          new Page.WaitForFunctionOptions().setTimeout(20_000).setPollingInterval(100));
    }
    List<Double> before = decoded(underBooster);
    List<Map<String, Object>> heardUnderBooster = new ArrayList<>();
    for (Page v : underBooster) {
      heardUnderBooster.add(probe(v));
    }
    List<Double> after = decoded(underBooster);
    for (int i = 0; i < underBooster.size(); i++) {
      assertThat(after.get(i))
          .as("decoded audio frames rise under the booster: " + before + " → " + after)
          .isGreaterThan(before.get(i) + 50);
      assertThat(((Number) heardUnderBooster.get(i).get("max")).doubleValue())
          .as(
              "sound under the booster "
                  + heardUnderBooster.get(i)
                  + " "
                  + state(underBooster.get(i)))
          .isGreaterThan(LOUD);
    }
    // A page under such a page gets the generated track as an ordinary track; one under the
    // publisher, the publisher's own (page-to-page edges are unchanged by rt-audio).
    List<Map<String, Object>> heardBelow = new ArrayList<>();
    for (Page v : concat(underPages, underPublisher)) {
      Map<String, Object> heard = probe(v);
      heardBelow.add(heard);
      assertThat(state(v)).as("audio as a track").contains("\"source\":\"track\"");
      assertThat(((Number) heard.get("max")).doubleValue())
          .as("sound below " + heard + " " + state(v))
          .isGreaterThan(LOUD);
    }

    // Corrupt messages from the publisher stop at the booster; the pages under it keep decoding.
    Object channels =
        publisher.evaluate(
            "() => { const out = window.waterfall.node.audioOut;"
                + " for (const ch of out.channels) { ch.send(new Uint8Array([1, 9, 9])); ch.send(new Uint8Array(5000)); }"
                + " return out.channels.size; }");
    assertThat(((Number) channels).intValue()).as("the publisher's booster children").isEqualTo(2);
    waitUntil(
        () -> audio.malformed() == 2 && second.node().realtimeAudio().malformed() == 2,
        10_000,
        "each booster drops both corrupt messages");
    List<Double> beforeCorrupt = decoded(underBooster);
    Thread.sleep(2000);
    List<Double> afterCorrupt = decoded(underBooster);
    for (int i = 0; i < underBooster.size(); i++) {
      assertThat(afterCorrupt.get(i))
          .as("decoding goes on")
          .isGreaterThan(beforeCorrupt.get(i) + 30);
      assertThat(state(underBooster.get(i))).contains("\"malformedIn\":0");
    }

    // The booster's CPU with the audio flowing to its children, then with the publisher sending
    // none.
    Map<String, Long> withAudio = ThreadCpu.over(WINDOW_S);
    long forwarded = audio.forwarded();
    publisher.evaluate("() => window.waterfall.node.audioOut.setTrack(null)");
    Thread.sleep(500);
    long stopped = audio.received();
    Map<String, Long> without = ThreadCpu.over(WINDOW_S);
    assertThat(audio.received())
        .as("no chunks once the publisher stops encoding")
        .isLessThanOrEqualTo(stopped + 2);
    List<Object> latencies = new ArrayList<>();
    for (Page v : underBooster) {
      latencies.add(v.evaluate("() => window.waterfall.state.audio.latencyMs"));
    }
    System.out.printf("RealtimeAudioIT: tree %s%n", tree(stream));
    System.out.printf(
        "RealtimeAudioIT: loudest RMS under the booster %s, below it %s; decoded %s → %s%n",
        heardUnderBooster, heardBelow, before, after);
    System.out.printf(
        "RealtimeAudioIT: booster audio: %d chunks received, %d forwarded, %d dropped, %d malformed;"
            + " encode→booster median %d ms; encode→page under the booster median %s ms%n",
        audio.received(),
        forwarded,
        audio.dropped(),
        audio.malformed(),
        audio.medianLagMillis(),
        latencies);
    System.out.printf(
        "RealtimeAudioIT: boosters' JVM CPU, %d s windows, %d + %d audio children: with audio %.2f %%,"
            + " without %.2f %% of a core; with %s; without %s%n",
        WINDOW_S,
        audio.children(),
        second.node().realtimeAudio().children(),
        percent(withAudio),
        percent(without),
        top(withAudio),
        top(without));
    for (Page v : pages) {
      v.context().close();
    }
    booster.close();
    second.close();
    publisher.context().close();
  }

  private static List<Page> concat(List<Page> a, List<Page> b) {
    List<Page> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> probe(Page p) {
    return (Map<String, Object>) p.evaluate(PROBE);
  }

  private static String state(Page p) {
    return (String) p.evaluate("() => JSON.stringify(window.waterfall.state.audio)");
  }

  private static List<Double> decoded(List<Page> pages) {
    return pages.stream()
        .map(
            p ->
                ((Number) p.evaluate("() => window.waterfall.realtime.audioStats().decoded"))
                    .doubleValue())
        .toList();
  }

  private static JsonNode tree(String stream) {
    return Http.json(rig.base + "/api/streams/" + stream + "/tree");
  }

  private static void waitUntil(
      java.util.function.BooleanSupplier condition, long timeoutMs, String what)
      throws InterruptedException {
    waitUntil(condition, timeoutMs, () -> what);
  }

  private static void waitUntil(
      java.util.function.BooleanSupplier condition,
      long timeoutMs,
      java.util.function.Supplier<String> what)
      throws InterruptedException {
    long end = System.currentTimeMillis() + timeoutMs;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > end) {
        throw new AssertionError("timed out: " + what.get());
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
        .filter(e -> e.getValue() >= WINDOW_S * 5L)
        .sorted((x, y) -> Long.compare(y.getValue(), x.getValue()))
        .forEach(
            e ->
                b.append(
                    String.format("%s %.1f %%, ", e.getKey(), e.getValue() / (WINDOW_S * 10.0))));
    return b.toString();
  }
}
