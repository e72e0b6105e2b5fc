package dev.waterfall.protocol.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("a renewed certificate is presented without a restart; a broken renewal is refused")
class CertificateReloaderTest {
  @TempDir Path dir;
  Vertx vertx;
  HttpServer server;
  TestCertificates.Ca ca;
  Path cert;
  Path key;
  final List<String> events = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    TestCertificates.assumeOpenssl();
    ca = TestCertificates.newCa(dir, "lab");
    cert = dir.resolve("cert.pem");
    key = dir.resolve("key.pem");
    TestCertificates.issue(ca, cert, key, 10);
    vertx = Vertx.vertx();
    PemKeyPair pair = PemKeyPair.load(cert, key);
    server =
        vertx
            .createHttpServer(
                new HttpServerOptions().setSsl(true).setKeyCertOptions(pair.keyCertOptions()))
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

  private CertificateReloader watch(Duration every) {
    return CertificateReloader.watch(
        vertx,
        server,
        PemKeyPair.load(cert, key),
        every,
        new CertificateReloader.Listener() {
          @Override
          public void reloaded(PemKeyPair now) {
            events.add("reloaded " + now.certificate().getSerialNumber().toString(16));
          }

          @Override
          public void refused(String problem) {
            events.add("refused " + problem);
          }
        });
  }

  private static boolean await(java.util.concurrent.Future<Boolean> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  @Test
  void unchangedFilesAreNotReloaded() throws Exception {
    CertificateReloader reloader = watch(Duration.ZERO);
    assertThat(await(reloader.checkNow().toCompletionStage().toCompletableFuture())).isFalse();
    assertThat(events).isEmpty();
  }

  @Test
  void aRenewalIsPresentedToNewConnectionsAtTheNextCheck() throws Exception {
    BigInteger first = Presented.certificate(server.actualPort(), ca.cert()).getSerialNumber();
    CertificateReloader reloader = watch(Duration.ofMillis(200));
    String renewed = TestCertificates.issue(ca, cert, key, 90);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    BigInteger seen = first;
    while (seen.equals(first) && System.nanoTime() < deadline) {
      Thread.sleep(100);
      seen = Presented.certificate(server.actualPort(), ca.cert()).getSerialNumber();
    }
    assertThat(seen).isEqualTo(new BigInteger(renewed, 16));
    assertThat(Presented.certificate(server.actualPort(), ca.cert()).getNotAfter().toInstant())
        .isAfter(java.time.Instant.now().plus(Duration.ofDays(80)));
    assertThat(reloader.current().certificate().getSerialNumber()).isEqualTo(seen);
    assertThat(events).containsExactly("reloaded " + renewed);
  }

  @Test
  void aHalfWrittenRenewalKeepsTheOldCertificateUntilTheKeyArrives() throws Exception {
    BigInteger first = Presented.certificate(server.actualPort(), ca.cert()).getSerialNumber();
    CertificateReloader reloader = watch(Duration.ZERO);
    // The new certificate has landed, its key not yet.
    Path newKey = dir.resolve("next.key");
    String renewed = TestCertificates.issue(ca, dir.resolve("next.pem"), newKey, 90);
    Files.copy(dir.resolve("next.pem"), cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThat(await(reloader.checkNow().toCompletionStage().toCompletableFuture())).isFalse();
    assertThat(await(reloader.checkNow().toCompletionStage().toCompletableFuture())).isFalse();
    assertThat(Presented.certificate(server.actualPort(), ca.cert()).getSerialNumber())
        .isEqualTo(first);
    assertThat(events).hasSize(1); // reported once, not at every check
    assertThat(events.get(0))
        .startsWith("refused ")
        .contains("does not belong")
        .contains("still presenting");

    Files.copy(newKey, key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThat(await(reloader.checkNow().toCompletionStage().toCompletableFuture())).isTrue();
    assertThat(Presented.certificate(server.actualPort(), ca.cert()).getSerialNumber())
        .isEqualTo(new BigInteger(renewed, 16));
  }
}
