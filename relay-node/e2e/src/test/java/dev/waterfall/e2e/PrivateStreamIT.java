package dev.waterfall.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.microsoft.playwright.Page;
import dev.waterfall.coordinator.streams.StreamCatalog;
import dev.waterfall.protocol.Message;
import dev.waterfall.protocol.SignallingClient;
import dev.waterfall.relay.Relay;
import dev.waterfall.relay.segment.ContentCipher;
import dev.waterfall.relay.source.SampleSource;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A private stream through real relays: boosters verify and forward ciphertext they cannot read.
 */
@DisplayName("a private stream is encrypted end to end")
class PrivateStreamIT extends BrowserFixture {

  @Test
  void aBoosterHoldsAndServesOnlyCiphertextThatTheViewersKeyOpens() throws Exception {
    String publishKey =
        rig.coordinator.createStream(new StreamCatalog.Spec("hidden", 1000, 1, true)).publishKey();
    Relay origin = rig.origin("hidden", publishKey);
    Relay booster = rig.booster("hidden");
    String token =
        Http.post(
                rig.base + "/api/streams/hidden/viewer-tokens",
                StreamRig.ADMIN,
                "{\"ttlSeconds\":60}")
            .get("token")
            .textValue();
    Message first = firstAnswer("hidden", token);
    assertThat(first).isInstanceOf(Message.Welcome.class);
    String contentKey = ((Message.Welcome) first).contentKey();
    assertThat(contentKey).isNotNull();
    Message refused = firstAnswer("hidden", null);
    assertThat(refused)
        .isEqualTo(
            new Message.Error(
                "private-stream", "'hidden': this stream is private: it needs a viewer token"));

    List<SampleSource.Clip> clips = SampleSource.loadClips();
    ContentCipher cipher = ContentCipher.fromBase64(contentKey);
    long deadline = System.currentTimeMillis() + 30_000;
    int checked = 0;
    while (checked < 3 && System.currentTimeMillis() < deadline) {
      List<Long> held = StreamRig.sequences(booster, "hidden");
      checked = 0;
      for (long seq : held) {
        byte[] sealed = StreamRig.segment(booster, "hidden", seq);
        assertThat(sealed).as("booster serves segment " + seq).isNotNull();
        assertThat(sealed).isEqualTo(StreamRig.segment(origin, "hidden", seq));
        byte[] plain = cipher.decrypt(seq, sealed);
        SampleSource.Clip clip =
            clips.stream()
                .filter(c -> java.util.Arrays.equals(c.bytes(), plain))
                .findFirst()
                .orElseThrow(
                    () ->
                        new AssertionError(
                            "segment " + seq + " does not decrypt to a sample clip"));
        assertThat(sealed).isNotEqualTo(clip.bytes());
        // Not even the MPEG-TS packet structure shows: plaintext has a sync byte (0x47) every 188
        // bytes.
        assertThat(tsSyncBytes(sealed)).isLessThan(tsSyncBytes(clip.bytes()) / 10);
        assertThatThrownBy(() -> ContentCipher.generate().decrypt(seq, sealed))
            .isInstanceOf(GeneralSecurityException.class);
        checked++;
      }
      if (checked < 3) {
        Thread.sleep(500);
      }
    }
    assertThat(checked).as("segments checked on the booster").isGreaterThanOrEqualTo(3);
    assertThat(StreamRig.metric(booster, "waterfall_relay_verification_failures_total")).isZero();
  }

  @Test
  void aPageWithoutATokenIsRefusedAndAskedThenPlaysWithTheOneItIsGiven() throws Exception {
    String publishKey =
        rig.coordinator.createStream(new StreamCatalog.Spec("asked", 1000, 4, true)).publishKey();
    rig.origin("asked", publishKey);
    String token =
        Http.post(
                rig.base + "/api/streams/asked/viewer-tokens",
                StreamRig.ADMIN,
                "{\"ttlSeconds\":300}")
            .get("token")
            .textValue();
    Page page = chromium.newPage();
    List<String> console = Collections.synchronizedList(new ArrayList<>());
    page.onPageError(e -> console.add("pageerror: " + e));
    page.navigate(rig.base + "/watch/asked");
    try {
      page.waitForSelector("#token-form", new Page.WaitForSelectorOptions().setTimeout(30_000));
      Map<String, Object> refused = state(page);
      assertThat(refused.get("phase")).isEqualTo("error");
      assertThat((String) refused.get("error"))
          .contains("private-stream")
          .contains("needs a viewer token");
      assertThat(page.textContent("#stats")).contains("needs a viewer token");
      assertThat(page.textContent("#token-form")).contains("This stream is private");
      assertThat(refused.get("startedAt")).isNull();

      page.fill("#token-input", token);
      page.click("#token-form button");
      awaitPlaying(page, 20);
      assertThat(state(page).get("mode")).as(console.toString()).isEqualTo("p2p");
    } finally {
      java.nio.file.Files.createDirectories(SCREENSHOTS);
      page.screenshot(
          new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("private-asked.png")));
      page.close();
    }
  }

  @Test
  void anAuthorisedPagePlaysAndDropsTheTokenFromTheAddressBar() throws Exception {
    String publishKey =
        rig.coordinator.createStream(new StreamCatalog.Spec("members", 1000, 4, true)).publishKey();
    rig.origin("members", publishKey);
    rig.booster("members");
    String token =
        Http.post(
                rig.base + "/api/streams/members/viewer-tokens",
                StreamRig.ADMIN,
                "{\"ttlSeconds\":300}")
            .get("token")
            .textValue();
    Page page = chromium.newPage();
    List<String> console = Collections.synchronizedList(new ArrayList<>());
    page.onPageError(e -> console.add("pageerror: " + e));
    page.navigate(rig.base + "/watch/members?token=" + token);
    try {
      awaitPlaying(page, 30);
      Map<String, Object> s = state(page);
      String why = "state " + s + ", console " + console;
      assertThat(s.get("mode")).as(why).isEqualTo("p2p");
      assertThat(((Number) s.get("stallsDataLate")).intValue()).as(why).isZero();
      assertThat(page.url()).doesNotContain(token).doesNotContain("token=");
      assertThat(page.evaluate("() => sessionStorage.getItem('waterfall.viewerToken.members')"))
          .isEqualTo(token);
      // Decrypted media really plays: the video has a picture and time moves on.
      assertThat(((Number) page.evaluate("() => window.waterfall.video.videoWidth")).intValue())
          .as(why)
          .isPositive();
    } finally {
      java.nio.file.Files.createDirectories(SCREENSHOTS);
      page.screenshot(
          new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("private-player.png")));
      page.close();
    }
  }

  /** Waits until the page has played {@code seconds} of media past its first frame. */
  private static void awaitPlaying(Page page, int seconds) {
    page.waitForFunction(
        "() => window.waterfall && window.waterfall.state.startedAt !== null",
        null,
        new Page.WaitForFunctionOptions().setTimeout(30_000).setPollingInterval(100));
    double first =
        ((Number) page.evaluate("() => window.waterfall.video.currentTime")).doubleValue();
    page.waitForFunction(
        "t => window.waterfall.video.currentTime >= t",
        first + 6,
        new Page.WaitForFunctionOptions()
            .setTimeout(seconds * 1000L + 10_000)
            .setPollingInterval(250));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> state(Page page) {
    return (Map<String, Object>)
        page.evaluate("() => JSON.parse(JSON.stringify(window.waterfall.state))");
  }

  private static int tsSyncBytes(byte[] b) {
    int n = 0;
    for (int i = 0; i < b.length; i += 188) {
      n += b[i] == 0x47 ? 1 : 0;
    }
    return n;
  }

  private static Message firstAnswer(String stream, String token) throws Exception {
    SignallingClient c =
        SignallingClient.connect(rig.vertx, rig.base)
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    try {
      CompletableFuture<Message> answer = new CompletableFuture<>();
      c.onMessage(answer::complete);
      c.send(new Message.Join(stream, "viewer", token, false, null));
      return answer.get(10, TimeUnit.SECONDS);
    } finally {
      c.close();
    }
  }
}
