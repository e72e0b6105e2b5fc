package dev.waterfall.loadtest.field;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.microsoft.playwright.Page;
import dev.waterfall.testkit.chromium.Chromium;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The field lab's TURN path between two homes behind symmetric NAT (issue 13): two real headless
 * Chromium pages, one in each home, link as a child and its parent do: the child (the offerer) with
 * {@code iceTransportPolicy: 'relay'}, as a page retrying after ICE found no path, the parent with
 * every candidate type, its host address among them. The child's TURN allocation checks that
 * private address too; in a lab whose server could not route it coturn closed the allocation and
 * the link never opened. Runs as root where coturn and Chromium are installed; ~20 s.
 */
@DisplayName("TURN between two homes behind symmetric NAT, with real Chromium")
class TurnBetweenHomesIT {
  private static final String PREFIX = "wft";

  // Non-trickle on both sides: the test carries each description once gathering is complete.
  private static final String GATHERED =
      """
      (pc) => new Promise((done) => {
        if (pc.iceGatheringState === 'complete') return done();
        pc.addEventListener('icegatheringstatechange', () => {
          if (pc.iceGatheringState === 'complete') done();
        });
      })""";

  private static final String CHILD_OFFERS =
      """
      async (servers) => {
        const gathered = %s;
        const pc = new RTCPeerConnection({ iceServers: servers, iceTransportPolicy: 'relay' });
        window.pc = pc;
        const channel = pc.createDataChannel('waterfall', { ordered: true });
        channel.onopen = () => channel.send('through TURN');
        await pc.setLocalDescription(await pc.createOffer());
        await gathered(pc);
        return pc.localDescription.sdp;
      }"""
          .formatted(GATHERED);

  private static final String PARENT_ANSWERS =
      """
      async ({ servers, offer }) => {
        const gathered = %s;
        const pc = new RTCPeerConnection({ iceServers: servers });
        window.pc = pc;
        pc.ondatachannel = (e) => { e.channel.onmessage = (m) => { window.received = m.data; }; };
        await pc.setRemoteDescription({ type: 'offer', sdp: offer });
        await pc.setLocalDescription(await pc.createAnswer());
        await gathered(pc);
        return pc.localDescription.sdp;
      }"""
          .formatted(GATHERED);

  // Every candidate pair the page's ICE agent tried, with the local and remote candidate types.
  private static final String PAIRS =
      """
      async () => {
        const stats = await window.pc.getStats();
        const byId = new Map();
        stats.forEach((s) => byId.set(s.id, s));
        const out = [];
        stats.forEach((s) => {
          if (s.type !== 'candidate-pair') return;
          const l = byId.get(s.localCandidateId) || {};
          const r = byId.get(s.remoteCandidateId) || {};
          out.push({ state: s.state, nominated: !!s.nominated, local: l.candidateType,
            remote: r.candidateType + ' ' + r.address + ':' + r.port,
            bytesSent: s.bytesSent, bytesReceived: s.bytesReceived });
        });
        return JSON.stringify(out);
      }""";

  @Test
  void aRelayOnlyChildLinksToAParentWhoseCandidatesIncludeAPrivateAddress() throws Exception {
    assumeTrue(
        "root".equals(System.getProperty("user.name")), "the lab needs root (network namespaces)");
    assumeTrue(
        Files.isExecutable(Path.of("/usr/bin/turnserver"))
            && Files.isExecutable(Chromium.EXECUTABLE),
        "needs coturn and chromium (apt-get install -y coturn chromium)");
    Lab.removeLeftovers(PREFIX);
    Path dir = Files.createTempDirectory("turn-between-homes");
    String secret = UUID.randomUUID().toString();
    Profile.Home symmetric = new Profile.Home(100_000, 100_000, 0, 0, 0, Profile.Nat.SYMMETRIC);
    try (Lab lab = new Lab(PREFIX + ProcessHandle.current().pid() % 100_000, null)) {
      Lab.Host server = lab.server();
      Lab.Host childHome = lab.home(1, symmetric);
      Lab.Host parentHome = lab.home(2, symmetric);
      Process coturn =
          lab.start(server.namespace(), Stack.coturn(secret), dir.resolve("coturn.log"), Map.of());
      try (Chromium childBrowser =
              Chromium.launch(FieldScenario.wrapper(dir, childHome), List.of());
          Chromium parentBrowser =
              Chromium.launch(FieldScenario.wrapper(dir, parentHome), List.of())) {
        Page child = childBrowser.browser.newPage();
        Page parent = parentBrowser.browser.newPage();
        List<Map<String, Object>> servers = iceServers(secret);
        String offer = (String) child.evaluate(CHILD_OFFERS, servers);
        String answer =
            (String) parent.evaluate(PARENT_ANSWERS, Map.of("servers", servers, "offer", offer));
        assertThat(answer).as("the parent's answer has its host address").contains("192.168.2.2");
        child.evaluate("(sdp) => window.pc.setRemoteDescription({ type: 'answer', sdp })", answer);

        Object received = null;
        long deadline = System.currentTimeMillis() + 30_000;
        while (received == null && System.currentTimeMillis() < deadline) {
          Thread.sleep(250);
          received = parent.evaluate("() => window.received ?? null");
        }
        String pairs = (String) child.evaluate(PAIRS);
        CoturnLog log = CoturnLog.read(dir.resolve("coturn.log"));
        assertThat(received)
            .as(
                "the child's message through TURN; its candidate pairs: %s; coturn: %s",
                pairs, log.json())
            .isEqualTo("through TURN");
        assertThat(log.relaySendFailures()).as("relay sends that failed").isZero();
        assertThat(pairs).contains("\"state\":\"succeeded\"");
      } finally {
        coturn.destroy();
      }
    }
  }

  /** What the coordinator hands out: TURN REST credentials (expiry:name, HMAC-SHA1 of it). */
  private static List<Map<String, Object>> iceServers(String secret) throws Exception {
    String user = (System.currentTimeMillis() / 1000 + 600) + ":it";
    Mac mac = Mac.getInstance("HmacSHA1");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
    String credential =
        Base64.getEncoder().encodeToString(mac.doFinal(user.getBytes(StandardCharsets.UTF_8)));
    return List.of(
        Map.of("urls", "stun:" + Lab.SERVER_ADDRESS + ":3478"),
        Map.of(
            "urls",
            "turn:" + Lab.SERVER_ADDRESS + ":3478?transport=udp",
            "username",
            user,
            "credential",
            credential));
  }
}
