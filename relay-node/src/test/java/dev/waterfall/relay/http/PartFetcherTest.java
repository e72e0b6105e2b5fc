package dev.waterfall.relay.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.relay.llhls.LlHlsServer;
import dev.waterfall.relay.llhls.LlPart;
import dev.waterfall.relay.llhls.LlSettings;
import dev.waterfall.relay.llhls.PartFrame;
import dev.waterfall.relay.llhls.PartLedger;
import dev.waterfall.relay.llhls.PartSigner;
import dev.waterfall.relay.llhls.PartStore;
import dev.waterfall.relay.llhls.PartVerifier;
import dev.waterfall.relay.llhls.SignedInit;
import dev.waterfall.relay.llhls.SignedPart;
import dev.waterfall.relay.segment.SegmentSigner;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Parts healed over real HTTP from a relay's /ll/: the signed header and the bytes per part, the
 * signed init, the newest parts from the playlist; a fallback that serves tampered bytes is passed
 * over for the next.
 */
class PartFetcherTest {
  SegmentSigner key = SegmentSigner.generate();
  PartSigner signer = new PartSigner(key, "demo");
  SignedInit init = signer.signInit("ftyp moov".getBytes());
  Vertx vertx;
  PartLedger upstream;
  PartLedger child;
  List<byte[]> forwarded = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    upstream = ledger();
    upstream.addInit(init);
    for (long id = 3; id < 12; id++) {
      deliver(upstream, id);
    }
    child = ledger();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  PartLedger ledger() {
    return new PartLedger(new PartVerifier(key.verifier(), "demo"), new PartStore(0, 0));
  }

  static byte[] bytes(long id) {
    byte[] b = new byte[70_000];
    Arrays.fill(b, (byte) id);
    return b;
  }

  void deliver(PartLedger ledger, long id) {
    SignedPart p =
        signer.sign(
            new LlPart(id, id / 3, (int) (id % 3), bytes(id), 1 / 3.0, id % 3 == 0),
            init.sha256(),
            System.currentTimeMillis());
    ledger.addHeader(p, System.currentTimeMillis());
    ledger.addChunk(id, 0, Arrays.copyOfRange(bytes(id), 0, 65536));
    ledger.addChunk(id, 1, Arrays.copyOfRange(bytes(id), 65536, 70_000));
  }

  String serve(Router router) throws Exception {
    HttpServer server =
        vertx
            .createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
            .requestHandler(router)
            .listen()
            .await(10, TimeUnit.SECONDS);
    return "http://127.0.0.1:" + server.actualPort();
  }

  String honest() throws Exception {
    Router router = Router.router(vertx);
    new LlHlsServer("demo", upstream.store(), LlSettings.DEFAULT)
        .withSignedFrames(upstream)
        .mount(router);
    return serve(router);
  }

  /** Serves the right headers and a playlist, but every part's bytes with one bit flipped. */
  String liar() throws Exception {
    Router router = Router.router(vertx);
    router
        .get("/ll/demo/:file")
        .handler(
            ctx -> {
              String file = ctx.pathParam("file");
              if (file.endsWith(".m4s")) {
                long id = Long.parseLong(file.replaceAll("part-(\\d+)\\..*", "$1"));
                byte[] b = bytes(id);
                b[70_000 - 1] ^= 1;
                ctx.response().end(Buffer.buffer(b));
              } else if (file.endsWith(".hdr")) {
                long id = Long.parseLong(file.replaceAll("part-(\\d+)\\..*", "$1"));
                ctx.response().end(Buffer.buffer(upstream.headerFrame(id).orElseThrow()));
              } else {
                ctx.response().setStatusCode(404).end();
              }
            });
    return serve(router);
  }

  PartFetcher fetcher(List<String> fallbacks) {
    return new PartFetcher(vertx, "demo", child, () -> fallbacks, null);
  }

  static void await(BooleanSupplier done) throws InterruptedException {
    long until = System.currentTimeMillis() + 15_000;
    while (!done.getAsBoolean() && System.currentTimeMillis() < until) {
      Thread.sleep(20);
    }
    assertThat(done.getAsBoolean()).isTrue();
  }

  @Test
  void healsTheInitAndTheNewestPartsFromAFallbackPlaylist() throws Exception {
    PartFetcher f = fetcher(List.of(honest()));
    vertx.runOnContext(v -> f.fetchInit(forwarded::addAll, () -> {}));
    await(child::hasInit);
    vertx.runOnContext(v -> f.fetchLatest(forwarded::addAll));
    await(() -> child.store().snapshot().nextPartId() == 12);
    assertThat(child.store().snapshot().part(10).get().bytes()).isEqualTo(bytes(10));
    // What was stored goes on down the tree: the init, and each part's header and chunks.
    assertThat(forwarded.stream().filter(b -> PartFrame.decode(b) instanceof PartFrame.Init))
        .hasSize(1);
    assertThat(forwarded.stream().filter(b -> PartFrame.decode(b) instanceof PartFrame.Header))
        .hasSizeGreaterThanOrEqualTo(3);
    assertThat(child.rejected()).isZero();
  }

  @Test
  void aFallbackServingTamperedBytesIsPassedOver() throws Exception {
    child.addInit(init);
    deliver(child, 6);
    deliver(child, 8); // 7 is a hole
    assertThat(child.holes(Long.MAX_VALUE / 2, 0)).containsExactly(7L);
    PartFetcher f = fetcher(List.of(liar(), honest()));
    f.startAt(0);
    vertx.runOnContext(v -> f.fetchPart(7, forwarded::addAll));
    await(() -> child.store().snapshot().nextPartId() == 9);
    assertThat(child.store().snapshot().part(7).get().bytes()).isEqualTo(bytes(7));
    assertThat(child.rejected()).as("the liar's last chunk").isEqualTo(1);
    assertThat(f.partsFetched()).isEqualTo(1);
    // and the liar goes to the back of the line
    child.addInit(init);
    deliver(child, 10);
    vertx.runOnContext(v -> f.fetchPart(9, forwarded::addAll));
    await(() -> child.store().snapshot().nextPartId() == 11);
    assertThat(child.rejected()).isEqualTo(1);
  }
}
