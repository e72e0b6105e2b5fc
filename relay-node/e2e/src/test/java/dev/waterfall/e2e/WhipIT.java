package dev.waterfall.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Page;
import dev.waterfall.relay.Relay;
import dev.waterfall.relay.peer.ThreadCpu;
import dev.waterfall.relay.whip.WhipEndpoint;
import dev.waterfall.testkit.chromium.WhipClient;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * OBS over WHIP (RFC 9725) into a realtime stream: a WHIP client that does what OBS does ({@link
 * WhipClient}: sendonly Opus + H.264, non-trickle offer, Bearer key) publishes to a Java origin
 * ({@code publish --whip}), whose received tracks become the root of the tree; 6 pages in two
 * levels decode the picture and play the sound (as Opus chunks under the Java root, re-encoded from
 * the publisher's decoded audio; as a track below). Also: bad requests change nothing, DELETE ends
 * the session, a new POST publishes again (VP8 this time) and replaces a live session. Timings are
 * printed, not asserted tightly: the machine is shared.
 */
@DisplayName("WHIP: an OBS-style publisher feeds a realtime tree")
class WhipIT extends BrowserFixture {
  private static final String SDP = "application/sdp";

  @Test
  @DisplayName(
      "WHIP publish (H.264 + Opus) → Java root → 6 pages in two levels all decode and play sound;"
          + " bad requests change nothing; DELETE ends it; VP8 publishes again and a new session replaces the live one")
  void obsStylePublishFeedsSixPagesInTwoLevels() throws Exception {
    String stream = "whip";
    String key = rig.createRealtimeStream(stream, 3);
    Relay origin = whipOrigin(stream, key);
    WhipEndpoint whip = origin.whip();
    String url = "http://127.0.0.1:" + origin.httpPort() + "/whip/" + stream;

    refusalsChangeNothing(url, key);
    assertThat(whip.feedingSession()).isNull();

    // Placement with maxChildren 3: three pages under the root, the next three under the oldest of
    // them.
    List<Page> pages = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      Page p = chromium.newPeerPage();
      p.navigate(rig.base + "/watch/" + stream);
      // Before anyone publishes a page has an edge to its parent that carries nothing yet
      // (pendingParentId).
      p.waitForFunction(
          "() => window.waterfall && window.waterfall.state.pendingParentId", null, waitMs(30_000));
      p.evaluate(
          "() => { window.__firstFrame = null; const v = window.waterfall.video;"
              + " const f = () => { if (v.videoWidth > 0) window.__firstFrame = Date.now();"
              + " else v.requestVideoFrameCallback(f); }; v.requestVideoFrameCallback(f); }");
      pages.add(p);
    }
    assertThat(treeView(stream).get("nodes")).as("root and 6 pages").hasSize(7);

    WhipClient obs = new WhipClient(chromium, rig.base);
    Map<String, Object> r = obs.publish(url, key, "H264", 15);
    assertThat(r.get("status")).as(String.valueOf(r)).isEqualTo(201);
    assertThat((String) r.get("location")).startsWith(url + "/");
    assertThat((String) r.get("contentType")).isEqualTo(SDP);
    assertThat((String) r.get("answer"))
        .as("a complete answer: no trickle")
        .contains("a=candidate:");
    long answeredAt = ((Number) r.get("answeredAt")).longValue();
    long answerMs = answeredAt - ((Number) r.get("postedAt")).longValue();

    List<Long> firstFrameMs = new ArrayList<>();
    for (Page p : pages) {
      p.waitForFunction(
          "() => window.__firstFrame !== null && window.waterfall.state.framesDecoded > 0",
          null,
          waitMs(20_000));
      firstFrameMs.add(((Number) p.evaluate("() => window.__firstFrame")).longValue() - answeredAt);
    }
    Map<String, Object> sent = obs.sent();
    assertThat((String) sent.get("codec"))
        .as("the sender's codec " + sent)
        .startsWith("video/H264");
    String firstSession = whip.feedingSession();
    assertThat(firstSession).isNotNull();

    JsonNode tree = treeView(stream);
    List<Integer> depths = new ArrayList<>();
    for (Page p : pages) {
      depths.add(((Number) p.evaluate("() => window.waterfall.state.depth")).intValue());
    }
    assertThat(depths).as("tree " + tree).containsExactlyInAnyOrder(1, 1, 1, 2, 2, 2);
    assertRising(pages, "the picture");

    // Sound: under the Java root as chunks decoded by the page, one level down as the forwarded
    // track.
    List<Object> heard = new ArrayList<>();
    for (Page p : pages) {
      boolean underRoot =
          ((Number) p.evaluate("() => window.waterfall.state.depth")).intValue() == 1;
      if (underRoot) {
        p.waitForFunction(
            "() => window.waterfall.state.audio.source === 'chunks'"
                + " && window.waterfall.state.audio.decoded > 25",
            null,
            waitMs(20_000));
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> level = (Map<String, Object>) p.evaluate(RealtimeAudioIT.PROBE);
      heard.add(level);
      assertThat(((Number) level.get("max")).doubleValue())
          .as(
              "sound at depth "
                  + (underRoot ? 1 : 2)
                  + ": "
                  + level
                  + " "
                  + p.evaluate("() => JSON.stringify(window.waterfall.state.audio)"))
          .isGreaterThan(RealtimeAudioIT.LOUD);
    }
    List<Object> audioLatency = new ArrayList<>();
    for (Page p : pages.subList(0, 3)) {
      audioLatency.add(p.evaluate("() => window.waterfall.state.audio.latencyMs"));
    }

    // What the root costs (this JVM: the root, the coordinator, the test), by thread; the Opus
    // re-encode runs on libwebrtc's audio thread (webrtc_audio_module_play_thread), the H.264
    // decode and the per-child VP8 encodes on its video threads.
    int window = ThreadCpu.window(10);
    Map<String, Long> cpu = ThreadCpu.over(window);

    // While live: a wrong key and a malformed offer are refused and nothing changes.
    assertThat(post(url, "not-the-key", SDP, offerLike()).statusCode()).isEqualTo(401);
    assertThat(post(url, key, SDP, "v=0\r\nthis is not SDP\r\n").statusCode()).isEqualTo(400);
    assertThat(whip.feedingSession()).isEqualTo(firstSession);
    assertRising(pages, "the picture after the refused requests");

    // DELETE ends the session: the pages keep their places and the picture stops.
    assertThat(obs.stop()).isEqualTo(200);
    waitUntil(() -> whip.feedingSession() == null, "the session ended");
    Thread.sleep(1000);
    List<Double> stopped = frames(pages);
    Thread.sleep(2000);
    assertThat(frames(pages)).as("no frames after DELETE").isEqualTo(stopped);
    assertThat(treeView(stream).get("nodes")).as("the pages keep their places").hasSize(7);

    // OBS starts streaming again (VP8 this time): a new session feeds the same tree.
    WhipClient again = new WhipClient(chromium, rig.base);
    Map<String, Object> r2 = again.publish(url, key, "VP8", 15);
    assertThat(r2.get("status")).as(String.valueOf(r2)).isEqualTo(201);
    for (int i = 0; i < pages.size(); i++) {
      pages
          .get(i)
          .waitForFunction(
              "n => window.waterfall.state.framesDecoded > n + 10", stopped.get(i), waitMs(20_000));
    }
    assertThat((String) again.sent().get("codec")).startsWith("video/VP8");
    String vp8Session = whip.feedingSession();

    // A reconnecting OBS POSTs again without DELETE: the new session replaces the live one,
    // make-before-break.
    WhipClient reconnect = new WhipClient(chromium, rig.base);
    assertThat(reconnect.publish(url, key, "H264", 15).get("status")).isEqualTo(201);
    waitUntil(
        () -> whip.feedingSession() != null && !whip.feedingSession().equals(vp8Session),
        "the new session feeds the tree");
    assertRising(pages, "the picture from the replacing session");
    assertThat(again.stop()).as("the replaced session is gone").isEqualTo(404);

    System.out.printf("WhipIT: tree %s%n", treeView(stream));
    System.out.printf(
        "WhipIT: POST → 201 (complete answer) %d ms; first frame at each page after the answer %s ms"
            + " (depths %s); sender %s%n",
        answerMs, firstFrameMs, depths, sent);
    System.out.printf(
        "WhipIT: loudest RMS %s; Opus chunk encode→page (depth 1) median %s ms%n",
        heard, audioLatency);
    System.out.printf(
        "WhipIT: test JVM CPU over %d s with the root feeding 3 children: %.1f %% of a core; %s%n",
        window,
        cpu.values().stream().mapToLong(Long::longValue).sum() / (window * 10.0),
        top(cpu, window));
    reconnect.close();
    again.close();
    obs.close();
    for (Page p : pages) {
      p.context().close();
    }
  }

  /**
   * The latency target: glass-to-glass at depth 3 within 1.2 × the browser publisher's, in
   * the same run. Two chains of three pages (maxChildren 1), one under a WHIP root fed H.264 by the
   * WHIP client, one under the /publish page, both sending rt/clock.js's picture at 30 fps; the
   * depth-3 page reads the clock off each frame it shows. Printed, not asserted: on a shared 2-core
   * machine the ratio measures the load as much as the code. {@code -Dwhip.codec=VP8} sends VP8
   * instead of H.264 (OBS sends H.264).
   */
  @Test
  @DisplayName("glass-to-glass at depth 3: WHIP publisher vs the browser publisher, same run")
  void glassToGlassAtDepthThreeAgainstTheBrowserPublisher() throws Exception {
    String whipStream = "whip-latency";
    String key = rig.createRealtimeStream(whipStream, 1);
    Relay origin = whipOrigin(whipStream, key);
    WhipClient obs = new WhipClient(chromium, rig.base);
    Map<String, Object> r =
        obs.publish(
            "http://127.0.0.1:" + origin.httpPort() + "/whip/" + whipStream,
            key,
            System.getProperty("whip.codec", "H264"),
            FPS);
    assertThat(r.get("status")).as(String.valueOf(r)).isEqualTo(201);
    List<Page> chain = chain(whipStream);
    List<Double> whip = depthThreeLatency(chain);
    Object sender = obs.sent().get("codec");
    for (Page p : chain) {
      p.context().close();
    }
    assertThat(obs.stop()).isEqualTo(200); // the root stops encoding before the second chain starts
    obs.close();

    String pageStream = "page-latency";
    String pageKey = rig.createRealtimeStream(pageStream, 1);
    Page publisher = chromium.newPeerPage();
    publisher.navigate(rig.base + "/publish/" + pageStream + "?fps=" + FPS + "#key=" + pageKey);
    publisher.evaluate("() => window.waterfall.start('clock')");
    publisher.waitForFunction(
        "() => window.waterfall.state.phase === 'live'", null, waitMs(20_000));
    chain = chain(pageStream);
    List<Double> page = depthThreeLatency(chain);
    for (Page p : chain) {
      p.context().close();
    }
    publisher.context().close();

    double ratio = p50(whip) / p50(page);
    System.out.printf(
        "WhipIT latency: depth 3 glass-to-glass p50 %.0f ms (p95 %.0f, %d samples) from the WHIP"
            + " publisher (%s), %.0f ms (p95 %.0f, %d samples) from the browser publisher: %.2f× (target ≤ 1.2×: %s);"
            + " load average %.1f%n",
        p50(whip),
        pct(whip, 0.95),
        whip.size(),
        sender,
        p50(page),
        pct(page, 0.95),
        page.size(),
        ratio,
        ratio <= 1.2 ? "MET" : "MISSED",
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }

  private static final int FPS = 30;
  private static final int MEASURE_MS = 8000;

  /** Three pages, each under the one before (maxChildren 1), all decoding. */
  private static List<Page> chain(String stream) {
    List<Page> chain = new ArrayList<>();
    for (int d = 1; d <= 3; d++) {
      Page v = chromium.newPeerPage();
      v.navigate(rig.base + "/watch/" + stream);
      v.waitForFunction(
          "d => window.waterfall.state.depth === d && window.waterfall.state.framesDecoded > 10",
          d,
          waitMs(30_000));
      chain.add(v);
    }
    return chain;
  }

  /**
   * The depth-3 page's glass-to-glass samples (ms, sorted) over {@link #MEASURE_MS}, after the
   * rates settle.
   */
  private static List<Double> depthThreeLatency(List<Page> chain) throws InterruptedException {
    Thread.sleep(3000);
    Map<?, ?> r =
        (Map<?, ?>)
            chain
                .get(2)
                .evaluate(
                    "ms => import('/web/rt/clock.js')"
                        + ".then(m => m.measure(window.waterfall.video, ms))",
                    MEASURE_MS);
    List<Double> samples =
        ((List<?>) r.get("samples"))
            .stream().map(x -> ((Number) x).doubleValue()).sorted().toList();
    assertThat(samples).as("clock readings at depth 3: " + r).hasSizeGreaterThanOrEqualTo(20);
    return samples;
  }

  private static double p50(List<Double> sorted) {
    return pct(sorted, 0.5);
  }

  private static double pct(List<Double> sorted, double q) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(q * sorted.size())));
  }

  /** Each refused request changes nothing: no session, and the server answers the next one. */
  private static void refusalsChangeNothing(String url, String key) {
    HttpResponse<String> options = Http.send("OPTIONS", url, null);
    assertThat(options.statusCode()).isEqualTo(204);
    assertThat(options.headers().firstValue("Accept-Post")).hasValue(SDP);
    HttpResponse<String> wrong = post(url, "wrong", SDP, offerLike());
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Bearer");
    assertThat(Http.send("POST", url, offerLike(), "Content-Type", SDP).statusCode())
        .as("no key")
        .isEqualTo(401);
    assertThat(post(url, key, "text/plain", offerLike()).statusCode()).isEqualTo(415);
    assertThat(post(url, key, SDP, "hello").statusCode()).isEqualTo(400);
    HttpResponse<String> malformed = post(url, key, SDP, "v=0\r\nm=video banana\r\n");
    assertThat(malformed.statusCode()).as(malformed.body()).isEqualTo(400);
    HttpResponse<String> audioOnly = post(url, key, SDP, offerLike());
    assertThat(audioOnly.statusCode()).as(audioOnly.body()).isEqualTo(400);
    assertThat(audioOnly.body()).contains("no video");
    assertThat(post(url, key, SDP, "v=0\r\n" + "a=x\r\n".repeat(20_000)).statusCode())
        .isEqualTo(413);
    assertThat(
            Http.send(
                    "PATCH",
                    url + "/abc",
                    "a=candidate",
                    "Authorization",
                    "Bearer " + key,
                    "Content-Type",
                    "application/trickle-ice-sdpfrag")
                .statusCode())
        .isEqualTo(405);
    assertThat(
            Http.send("DELETE", url + "/abc", null, "Authorization", "Bearer " + key).statusCode())
        .isEqualTo(404);
    assertThat(post(url.replace("/whip/whip", "/whip/other"), key, SDP, offerLike()).statusCode())
        .isEqualTo(404);
  }

  /** A well-formed offer with audio only (no video section): parsed by libwebrtc, refused by us. */
  private static String offerLike() {
    return String.join(
        "\r\n",
        "v=0",
        "o=- 1 2 IN IP4 127.0.0.1",
        "s=-",
        "t=0 0",
        "a=group:BUNDLE 0",
        "m=audio 9 UDP/TLS/RTP/SAVPF 111",
        "c=IN IP4 0.0.0.0",
        "a=ice-ufrag:abcd",
        "a=ice-pwd:abcdefghijklmnopqrstuv",
        "a=fingerprint:sha-256 " + "AB:".repeat(31) + "AB",
        "a=setup:actpass",
        "a=mid:0",
        "a=sendonly",
        "a=rtcp-mux",
        "a=rtpmap:111 opus/48000/2",
        "");
  }

  static Relay whipOrigin(String stream, String key) throws Exception {
    return rig.add(
        Relay.startWhipOrigin(
            rig.vertx,
            rig.peers,
            new Relay.Options(List.of(rig.base), stream, key, "127.0.0.1", 0, null)));
  }

  private static HttpResponse<String> post(String url, String key, String type, String body) {
    return Http.send("POST", url, body, "Authorization", "Bearer " + key, "Content-Type", type);
  }

  /** Threads above 0.5 % of a core, busiest first. */
  private static String top(Map<String, Long> cpuMs, int seconds) {
    StringBuilder b = new StringBuilder();
    cpuMs.entrySet().stream()
        .filter(e -> e.getValue() >= seconds * 5L)
        .sorted((x, y) -> Long.compare(y.getValue(), x.getValue()))
        .forEach(
            e ->
                b.append(
                    String.format("%s %.1f %%, ", e.getKey(), e.getValue() / (seconds * 10.0))));
    return b.toString();
  }

  private static List<Double> frames(List<Page> pages) {
    return pages.stream()
        .map(p -> ((Number) p.evaluate("() => window.waterfall.state.framesDecoded")).doubleValue())
        .toList();
  }

  private static void assertRising(List<Page> pages, String what) throws InterruptedException {
    List<Double> before = frames(pages);
    Thread.sleep(2000);
    List<Double> after = frames(pages);
    for (int i = 0; i < pages.size(); i++) {
      assertThat(after.get(i))
          .as(what + " goes on at every page: " + before + " → " + after)
          .isGreaterThan(before.get(i) + 5);
    }
  }

  static Page.WaitForFunctionOptions waitMs(double ms) {
    return new Page.WaitForFunctionOptions().setTimeout(ms).setPollingInterval(50);
  }

  static void waitUntil(java.util.function.BooleanSupplier condition, String what)
      throws InterruptedException {
    long end = System.currentTimeMillis() + 15_000;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > end) {
        throw new AssertionError("timed out: " + what);
      }
      Thread.sleep(50);
    }
  }
}
