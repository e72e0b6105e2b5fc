package dev.waterfall.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.waterfall.coordinator.Coordinator;
import dev.waterfall.coordinator.config.CoordinatorConfig;
import dev.waterfall.coordinator.streams.StreamCatalog;
import dev.waterfall.protocol.config.Settings;
import dev.waterfall.protocol.tls.Presented;
import dev.waterfall.protocol.tls.TestCertificates;
import dev.waterfall.relay.Relay;
import dev.waterfall.relay.cli.Running;
import dev.waterfall.relay.segment.SegmentSigner;
import dev.waterfall.relay.source.SampleSource;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The origin as {@code waterfall publish --tls-cert … --tls-key … --trust-pem …} runs it: it joins
 * a coordinator that serves only wss, with a certificate from a lab CA it was told to trust, and
 * serves its HLS over https. No WebRTC link is made, so this runs outside a network namespace.
 */
@DisplayName(
    "an origin joins a wss coordinator through a trusted lab CA and serves its HLS over https")
class RelayOverTlsTest {
  private static final String ADMIN = "relay-over-tls-admin-token";

  @Test
  void originOverTls(@TempDir Path dir) throws Exception {
    TestCertificates.assumeOpenssl();
    TestCertificates.Ca ca = TestCertificates.newCa(dir, "lab");
    Path coordinatorCert = dir.resolve("coordinator.pem");
    Path coordinatorKey = dir.resolve("coordinator.key");
    TestCertificates.issue(ca, coordinatorCert, coordinatorKey, 10);
    Path originCert = dir.resolve("origin.pem");
    Path originKey = dir.resolve("origin.key");
    String originSerial = TestCertificates.issue(ca, originCert, originKey, 10);

    long pid = ProcessHandle.current().pid();
    CoordinatorConfig config =
        CoordinatorConfig.from(
            Settings.defaultsOnly()
                .with(
                    Map.of(
                        "http.port",
                        "0",
                        "admin.token",
                        ADMIN,
                        "cluster.name",
                        "relay-over-tls-" + pid,
                        "cluster.port",
                        Integer.toString(17000 + (int) (pid % 400) * 5),
                        "http.tls.certPath",
                        coordinatorCert.toString(),
                        "http.tls.keyPath",
                        coordinatorKey.toString())));
    Coordinator coordinator = Coordinator.start(config, Clock.systemUTC());
    Running running = new Running();
    running.add(coordinator::stop);
    try {
      String base = "https://127.0.0.1:" + coordinator.port();
      StreamCatalog.Created created =
          coordinator.createStream(new StreamCatalog.Spec("tls", null, null, null));
      Relay origin =
          running.add(
              Relay.startOrigin(
                  running.vertx,
                  running.peers,
                  new Relay.Options(
                      List.of(base),
                      "tls",
                      created.publishKey(),
                      "127.0.0.1",
                      0,
                      null,
                      new Relay.Tls(originCert, originKey, ca.cert())),
                  SegmentSigner.generate(),
                  SampleSource.fromClasspath(System.currentTimeMillis() / 2000),
                  r -> {}));
      // Joined over wss (startOrigin returns once welcomed); its HLS over https with its own
      // certificate.
      String originBase = "https://127.0.0.1:" + origin.httpPort();
      assertThat(Presented.certificate(origin.httpPort(), ca.cert()).getSerialNumber())
          .isEqualTo(new BigInteger(originSerial, 16));
      HttpClient https = HttpClient.newBuilder().sslContext(Presented.trusting(ca.cert())).build();
      String playlist = "";
      for (int i = 0; i < 100 && !playlist.contains("#EXTINF"); i++) {
        playlist =
            https
                .send(
                    HttpRequest.newBuilder(URI.create(originBase + "/hls/tls/index.m3u8")).build(),
                    HttpResponse.BodyHandlers.ofString())
                .body();
        Thread.sleep(100);
      }
      assertThat(playlist).startsWith("#EXTM3U").contains("#EXTINF");

      // It announced https://127.0.0.1:<port>: the coordinator lists it, and hands it to an https
      // page on loopback.
      JsonNode all =
          json(
              https
                  .send(
                      HttpRequest.newBuilder(URI.create(base + "/api/streams/tls/fallbacks"))
                          .header("Authorization", "Bearer " + ADMIN)
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body());
      assertThat(all.get("fallbacks")).extracting(JsonNode::textValue).containsExactly(originBase);
      JsonNode page =
          json(
              https
                  .send(
                      HttpRequest.newBuilder(URI.create(base + "/api/streams/tls/fallbacks"))
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body());
      assertThat(page.get("fallbacks")).extracting(JsonNode::textValue).containsExactly(originBase);
      assertThat(page.get("withheld").intValue()).isZero();
    } finally {
      running.stop();
    }
  }

  private static JsonNode json(String body) throws Exception {
    return new ObjectMapper().readTree(body);
  }
}
