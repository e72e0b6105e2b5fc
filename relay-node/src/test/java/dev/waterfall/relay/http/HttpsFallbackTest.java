package dev.waterfall.relay.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.protocol.tls.ExtraTrust;
import dev.waterfall.protocol.tls.PemKeyPair;
import dev.waterfall.protocol.tls.TestCertificates;
import dev.waterfall.relay.store.SegmentStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A relay heals from another relay's HLS served over HTTPS by a lab CA it was told to trust
 * (--trust-pem).
 */
@DisplayName("fallback fetches over https, trusting a given CA")
class HttpsFallbackTest {
  @TempDir Path dir;
  Vertx vertx;
  StoreFixture nodeA;
  String base;
  TestCertificates.Ca ca;

  @BeforeEach
  void start() throws Exception {
    TestCertificates.assumeOpenssl();
    ca = TestCertificates.newCa(dir, "lab");
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    TestCertificates.issue(ca, cert, key, 10);
    vertx = Vertx.vertx();
    nodeA = StoreFixture.filled(300, 2);
    Router router = Router.router(vertx);
    new HlsServer("demo", nodeA.store).mount(router);
    HttpServer server =
        vertx
            .createHttpServer(
                new HttpServerOptions()
                    .setHost("127.0.0.1")
                    .setPort(0)
                    .setSsl(true)
                    .setKeyCertOptions(PemKeyPair.load(cert, key).keyCertOptions()))
            .requestHandler(router)
            .listen()
            .await(10, TimeUnit.SECONDS);
    base = "https://127.0.0.1:" + server.actualPort();
  }

  @AfterEach
  void stop() {
    if (vertx != null) {
      vertx.close();
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @Test
  void healsOverHttpsWhenTheCaIsTrustedAndNotOtherwise() throws Exception {
    SegmentStore trusting = nodeA.emptyPeer();
    FallbackFetcher fetcher =
        new FallbackFetcher(
            vertx,
            "demo",
            trusting,
            () -> List.of(base),
            FallbackFetcher.DEFAULT_TIMEOUT,
            ExtraTrust.withPem(ca.cert()));
    assertThat(await(fetcher.listAvailable())).containsExactly(300L, 301L);
    assertThat(await(fetcher.fetchHeader(301))).isTrue();
    await(fetcher.fetchChunks(301, trusting.missingChunks(301)));
    assertThat(trusting.segmentBytes(301)).contains(nodeA.store.segmentBytes(301).orElseThrow());
    assertThat(fetcher.failures()).isZero();
    fetcher.close();

    SegmentStore untrusting = nodeA.emptyPeer();
    FallbackFetcher refused = new FallbackFetcher(vertx, "demo", untrusting, () -> List.of(base));
    assertThat(await(refused.fetchHeader(301))).isFalse();
    assertThat(refused.failures()).isPositive();
    assertThat(refused.bytesFetched()).isZero();
    refused.close();
  }
}
