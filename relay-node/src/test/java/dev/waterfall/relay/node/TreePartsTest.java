package dev.waterfall.relay.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.relay.frame.Frame;
import dev.waterfall.relay.frame.FrameCodec;
import dev.waterfall.relay.http.PartFetcher;
import dev.waterfall.relay.llhls.PartLedger;
import dev.waterfall.relay.llhls.PartStore;
import dev.waterfall.relay.llhls.PartVerifier;
import dev.waterfall.relay.segment.SegmentSigner;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A booster of a stream without LL-HLS, whose parent is silent, asks its fallbacks for the LL init
 * over real HTTP: once every fallback answered 404 it asks no more; while one cannot be reached it
 * keeps asking, every {@link TreeParts#INIT_RETRY_MS}.
 */
class TreePartsTest {
  private Vertx vertx;
  private Context context;
  private final AtomicInteger initAsks = new AtomicInteger();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** A relay serving classic HLS only: every /ll/ request is 404; init asks are counted. */
  private String classicOnly() throws Exception {
    HttpServer server =
        vertx
            .createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
            .requestHandler(
                r -> {
                  if (r.path().endsWith("/init.hdr")) {
                    initAsks.incrementAndGet();
                  }
                  r.response().setStatusCode(404).end();
                })
            .listen()
            .await(10, TimeUnit.SECONDS);
    return "http://127.0.0.1:" + server.actualPort();
  }

  private TreeParts parts(List<String> fallbacks) {
    PartLedger ledger =
        new PartLedger(
            new PartVerifier(SegmentSigner.generate().verifier(), "demo"), new PartStore(0, 0));
    return new TreeParts(
        ledger, null, new PartFetcher(vertx, "demo", ledger, () -> fallbacks, null));
  }

  private void tick(TreeParts parts, long now) throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    context.runOnContext(
        v -> {
          parts.tick(now, true);
          done.complete(null);
        });
    done.get(10, TimeUnit.SECONDS);
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long until = System.currentTimeMillis() + 15_000;
    while (!condition.getAsBoolean() && System.currentTimeMillis() < until) {
      Thread.sleep(20);
    }
    assertThat(condition.getAsBoolean()).as(what).isTrue();
  }

  @Test
  void oneAnswerOf404FromEveryFallbackStopsTheAsks() throws Exception {
    TreeParts parts = parts(List.of(classicOnly(), classicOnly()));
    tick(parts, 0);
    await(parts::noParts, "every fallback said it has no parts");
    int asked = initAsks.get();
    assertThat(asked).as("each fallback once").isEqualTo(2);
    // A minute of a silent parent, a tick every 100 ms as the node does.
    for (long now = 100; now <= 60_000; now += 100) {
      tick(parts, now);
    }
    Thread.sleep(300); // a request the ticks made would reach a server on 127.0.0.1 by now
    assertThat(initAsks.get()).as("no init asked after the 404s").isEqualTo(asked);
  }

  @Test
  void anUnreachableFallbackIsNotTakenForAnAnswer() throws Exception {
    int closed;
    try (var socket = new java.net.ServerSocket(0)) {
      closed = socket.getLocalPort(); // nothing listens there once closed
    }
    TreeParts parts = parts(List.of(classicOnly(), "http://127.0.0.1:" + closed));
    // Ticks a retry period apart (a tick while a fetch is in flight asks nothing), until the
    // classic relay has been asked three times.
    long now = 0;
    long until = System.currentTimeMillis() + 15_000;
    while (initAsks.get() < 3 && System.currentTimeMillis() < until) {
      tick(parts, now);
      now += TreeParts.INIT_RETRY_MS;
      Thread.sleep(50);
    }
    assertThat(initAsks.get()).as("asked again and again").isGreaterThanOrEqualTo(3);
    assertThat(parts.noParts()).isFalse();
  }

  private static byte[] control(String json) {
    return FrameCodec.encode(new Frame.Control(json));
  }

  @Test
  void anAskKeepsTheSegmentsUnlessItSaysSegmentsFalse() {
    assertThat(TreeParts.isAsk(TreeParts.ASK)).isTrue();
    assertThat(TreeParts.asksSegments(TreeParts.ASK)).as("a Java relay's ask").isTrue();
    byte[] partsOnly = control("{\"type\":\"parts\",\"segments\":false}");
    assertThat(TreeParts.isAsk(partsOnly)).isTrue();
    assertThat(TreeParts.asksSegments(partsOnly))
        .as("an LL page without classic children")
        .isFalse();
    assertThat(TreeParts.asksSegments(control("{\"type\":\"parts\",\"segments\":true}"))).isTrue();
    assertThat(TreeParts.asksSegments(control("{\"type\":\"parts\",\"segments\":\"no\"}")))
        .as("only false turns them off")
        .isTrue();
    assertThat(TreeParts.asksSegments(new byte[] {1, 4, '{'})).isTrue();
  }
}
