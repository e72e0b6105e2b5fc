package dev.waterfall.protocol.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.TrustOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("--trust-pem: a private CA is trusted on top of the JVM's, host names still checked")
class ExtraTrustTest {
  @TempDir Path dir;
  Vertx vertx;
  HttpServer server;
  TestCertificates.Ca ca;

  @BeforeEach
  void start() throws Exception {
    TestCertificates.assumeOpenssl();
    ca = TestCertificates.newCa(dir, "lab");
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    TestCertificates.issue(ca, cert, key, 10);
    vertx = Vertx.vertx();
    server =
        vertx
            .createHttpServer(
                new HttpServerOptions()
                    .setSsl(true)
                    .setKeyCertOptions(PemKeyPair.load(cert, key).keyCertOptions()))
            .requestHandler(r -> r.response().end("ok"))
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() {
    if (vertx != null) {
      vertx.close();
    }
  }

  private String get(TrustOptions trust, String host) throws Exception {
    HttpClientOptions options = new HttpClientOptions().setSsl(true).setVerifyHost(true);
    if (trust != null) {
      options.setTrustOptions(trust);
    }
    var client = vertx.createHttpClient(options);
    try {
      return client
          .request(
              new RequestOptions()
                  .setMethod(HttpMethod.GET)
                  .setHost(host)
                  .setPort(server.actualPort())
                  .setURI("/")
                  .setSsl(true))
          .compose(r -> r.send().compose(res -> res.body()))
          .map(Object::toString)
          .toCompletionStage()
          .toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
    } finally {
      client.close();
    }
  }

  @Test
  void theLabCaIsTrustedOnlyWhenGiven() throws Exception {
    assertThat(get(ExtraTrust.withPem(ca.cert()), "127.0.0.1")).isEqualTo("ok");
    assertThat(get(ExtraTrust.withPem(ca.cert()), "localhost")).isEqualTo("ok");
    assertThatThrownBy(() -> get(null, "127.0.0.1"))
        .rootCause()
        .hasMessageContaining("certification path");
    TestCertificates.Ca other = TestCertificates.newCa(dir, "other");
    assertThatThrownBy(() -> get(ExtraTrust.withPem(other.cert()), "127.0.0.1"))
        .rootCause()
        .hasMessageContaining("certification path");
  }

  @Test
  void theJvmsOwnAuthoritiesStayTrusted() throws Exception {
    // The merged store holds the JVM's CAs next to the lab's: a relay may talk to a Let's Encrypt
    // coordinator and a lab origin at once.
    var merged = ExtraTrust.withPem(ca.cert()).getTrustManagerFactory(vertx).getTrustManagers();
    var issuers = ((javax.net.ssl.X509TrustManager) merged[0]).getAcceptedIssuers();
    var jvm =
        javax.net.ssl.TrustManagerFactory.getInstance(
            javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    jvm.init((java.security.KeyStore) null);
    int jvmCount =
        ((javax.net.ssl.X509TrustManager) jvm.getTrustManagers()[0]).getAcceptedIssuers().length;
    assertThat(issuers.length).isEqualTo(jvmCount + 1);
  }

  @Test
  void aMissingOrBadFileIsNamed() throws Exception {
    Path missing = dir.resolve("nope.pem");
    assertThatThrownBy(() -> ExtraTrust.withPem(missing))
        .isInstanceOf(TlsFileException.class)
        .hasMessageContaining(missing.toString());
    Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a certificate");
    assertThatThrownBy(() -> ExtraTrust.withPem(garbage)).hasMessageContaining(garbage.toString());
    assertThat(ExtraTrust.withPem(null)).isNull();
  }
}
