package dev.waterfall.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.waterfall.coordinator.support.TestCoordinator;
import dev.waterfall.coordinator.support.TestNode;
import dev.waterfall.protocol.Message;
import dev.waterfall.protocol.SignallingClient;
import dev.waterfall.protocol.tls.ExtraTrust;
import dev.waterfall.protocol.tls.Presented;
import dev.waterfall.protocol.tls.TestCertificates;
import io.vertx.core.Vertx;
import io.vertx.core.net.TrustOptions;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("HTTPS and WSS from PEM files, renewed without a restart")
class CoordinatorTlsTest {
  @TempDir Path dir;
  TestCertificates.Ca ca;
  Path cert;
  Path key;
  TestCoordinator coordinator;
  Vertx vertx;
  TrustOptions trust;
  final List<TestNode> nodes = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    TestCertificates.assumeOpenssl();
    ca = TestCertificates.newCa(dir, "lab");
    cert = dir.resolve("cert.pem");
    key = dir.resolve("key.pem");
    TestCertificates.issue(ca, cert, key, 10);
    coordinator =
        TestCoordinator.start(
            Map.of(
                "http.tls.certPath",
                cert.toString(),
                "http.tls.keyPath",
                key.toString(),
                "http.tls.reloadCheckSeconds",
                "1"));
    vertx = Vertx.vertx();
    trust = ExtraTrust.withPem(ca.cert());
  }

  @AfterEach
  void stop() {
    nodes.forEach(TestNode::close);
    if (vertx != null) {
      vertx.close();
    }
    if (coordinator != null) {
      coordinator.close();
    }
  }

  private TestNode join(String stream, String role, String credential) {
    TestNode n = TestNode.connect(vertx, coordinator.baseUrl, trust);
    nodes.add(n);
    n.send(new Message.Join(stream, role, credential, null, null));
    n.welcome = n.await(Message.Welcome.class);
    return n;
  }

  @Test
  @DisplayName(
      "the player page, the API and /ws are served over TLS; a client that does not trust the CA is refused")
  void servesHttpsAndWss() throws Exception {
    String publishKey = coordinator.createStream("lab");
    assertThat(coordinator.baseUrl).startsWith("https://127.0.0.1:");

    HttpClient https = HttpClient.newBuilder().sslContext(Presented.trusting(ca.cert())).build();
    HttpResponse<String> page =
        https.send(
            HttpRequest.newBuilder(URI.create(coordinator.baseUrl + "/watch/lab")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<video", "/web/watch.js");
    assertThat(
            https
                .send(
                    HttpRequest.newBuilder(URI.create(coordinator.baseUrl + "/api/streams/lab"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body())
        .contains("\"lab\"");
    // Plain HTTP on the TLS port gets nowhere.
    HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    assertThatThrownBy(
            () ->
                plain.send(
                    HttpRequest.newBuilder(
                            URI.create(coordinator.baseUrl.replace("https", "http") + "/health"))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                    HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(java.io.IOException.class);

    TestNode origin = TestNode.connect(vertx, coordinator.baseUrl, trust);
    nodes.add(origin);
    origin.send(
        new Message.Join("lab", "origin", publishKey, null, null, null, "http://127.0.0.1:8090"));
    origin.welcome = origin.await(Message.Welcome.class);
    TestNode viewer = join("lab", "viewer", null);
    // A page on this https coordinator cannot fetch the origin's plain http: it is not handed it.
    assertThat(viewer.welcome.fallbacks()).isEmpty();
    assertThat(
            https
                .send(
                    HttpRequest.newBuilder(
                            URI.create(coordinator.baseUrl + "/api/streams/lab/fallbacks"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body())
        .contains("\"fallbacks\":[]", "\"withheld\":1");
    assertThat(viewer.welcome.parent()).isEqualTo(origin.id());
    assertThat(origin.await(Message.ChildJoined.class).child()).isEqualTo(viewer.id());
    // The coordinator's own URL, as every welcome lists it, says https: a resuming node uses wss.
    assertThat(viewer.welcome.coordinators()).containsExactly(coordinator.baseUrl);
    assertThat(viewer.serverCertificate().getSubjectX500Principal().getName())
        .startsWith("CN=waterfall test");

    // Without the lab CA (the JVM's authorities only) the socket is never opened.
    assertThatThrownBy(
            () ->
                SignallingClient.connect(vertx, coordinator.baseUrl)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS))
        .rootCause()
        .hasMessageContaining("certification path");
  }

  @Test
  @DisplayName(
      "a certificate replaced on disk is presented to new sockets at the next check; open sockets carry on")
  void renewedCertificateIsPresented() throws Exception {
    String publishKey = coordinator.createStream("renew");
    TestNode origin = join("renew", "origin", publishKey);
    X509Certificate before = origin.serverCertificate();

    String renewed = TestCertificates.issue(ca, cert, key, 90);
    BigInteger expected = new BigInteger(renewed, 16);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    BigInteger seen = before.getSerialNumber();
    while (!seen.equals(expected) && System.nanoTime() < deadline) {
      Thread.sleep(200); // the coordinator checks every second here (http.tls.reloadCheckSeconds=1)
      seen = Presented.certificate(coordinator.coordinator.port(), ca.cert()).getSerialNumber();
    }
    assertThat(seen).isEqualTo(expected);

    // A WSS client joining now sees the new certificate, serial and expiry.
    TestNode viewer = join("renew", "viewer", null);
    X509Certificate after = viewer.serverCertificate();
    assertThat(after.getSerialNumber()).isEqualTo(expected).isNotEqualTo(before.getSerialNumber());
    assertThat(after.getNotAfter().toInstant()).isAfter(Instant.now().plus(Duration.ofDays(80)));
    assertThat(before.getNotAfter().toInstant()).isBefore(Instant.now().plus(Duration.ofDays(11)));
    // The origin's socket, opened under the old certificate, still carries signalling.
    assertThat(origin.await(Message.ChildJoined.class).child()).isEqualTo(viewer.id());
    assertThat(origin.serverCertificate().getSerialNumber()).isEqualTo(before.getSerialNumber());
    // Nothing changed since: nothing to reload.
    assertThat(coordinator.coordinator.checkCertificate()).isFalse();
  }
}
