package dev.waterfall.relay.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.relay.segment.SegmentHeader;
import dev.waterfall.relay.source.MediaSegment;
import dev.waterfall.relay.store.SegmentStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Node B heals from node A's HlsServer over real HTTP; bad servers are passed over. */
class FallbackFetcherTest {

  private static Vertx vertx;
  private static StoreFixture nodeA;
  private static String good;
  private static String tampered;
  private static String partial;
  private static String silent;
  private static final AtomicInteger tamperedHits = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    nodeA = StoreFixture.filled(200, 5);
    good = serve(nodeA.store);
    tampered = HttpFixture.base(HttpFixture.listen(vertx, FallbackFetcherTest::tamper));
    // A node holding segment 202 only partly (chunks 0 and 2), nothing else.
    StoreFixture half = new StoreFixture();
    half.publish(nodeA.segments.get(2), List.of(0, 2));
    partial = serve(half.store);
    // Accepts connections and never answers.
    silent = HttpFixture.base(HttpFixture.listen(vertx, request -> {}));
  }

  private static String serve(SegmentStore store) throws Exception {
    Router router = Router.router(vertx);
    new HlsServer("demo", store).mount(router);
    return HttpFixture.base(HttpFixture.listen(vertx, router));
  }

  /**
   * Serves node A's real headers and playlist, but every segment byte range or chunk with one byte
   * flipped.
   */
  private static void tamper(HttpServerRequest request) {
    tamperedHits.incrementAndGet();
    String path = request.path();
    if (!path.contains(".ts")) {
      Router router = Router.router(vertx);
      new HlsServer("demo", nodeA.store).mount(router);
      router.handle(request);
      return;
    }
    long sequence = Long.parseLong(path.replaceAll(".*seg-(\\d+)\\.ts.*", "$1"));
    byte[] data = nodeA.store.segmentBytes(sequence).orElseThrow();
    int from = 0;
    int to = data.length - 1;
    if (path.contains("/chunk/")) {
      int index = Integer.parseInt(path.substring(path.lastIndexOf('/') + 1));
      from = index * SegmentHeader.DEFAULT_CHUNK_SIZE;
      to = Math.min(data.length, from + SegmentHeader.DEFAULT_CHUNK_SIZE) - 1;
    } else if (request.getHeader("Range") != null) {
      String[] range = request.getHeader("Range").substring(6).split("-");
      from = Integer.parseInt(range[0]);
      to = Integer.parseInt(range[1]);
      request
          .response()
          .setStatusCode(206)
          .putHeader("Content-Range", "bytes " + from + "-" + to + "/" + data.length);
    }
    byte[] body = java.util.Arrays.copyOfRange(data, from, to + 1);
    body[body.length / 2] ^= 0x01;
    request.response().end(Buffer.buffer(body));
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private static FallbackFetcher fetcher(SegmentStore store, Duration timeout, String... urls) {
    FallbackFetcher fetcher =
        new FallbackFetcher(vertx, "demo", store, () -> List.of(urls), timeout);
    fetcher.startAt(0);
    return fetcher;
  }

  private static List<Integer> all(long sequence, SegmentStore store) {
    return IntStream.range(0, store.header(sequence).orElseThrow().header().chunkCount())
        .boxed()
        .toList();
  }

  @Test
  @DisplayName(
      "an empty node B heals every segment from node A: headers and chunks, byte-identical")
  void healsFromNodeA() throws Exception {
    SegmentStore nodeB = nodeA.emptyPeer();
    FallbackFetcher fetcher = fetcher(nodeB, FallbackFetcher.DEFAULT_TIMEOUT, good);
    List<Long> available = await(fetcher.listAvailable());
    assertThat(available).containsExactly(200L, 201L, 202L, 203L, 204L);
    long payload = 0;
    for (long sequence : available) {
      assertThat(await(fetcher.fetchHeader(sequence))).isTrue();
      List<Integer> stored = await(fetcher.fetchChunks(sequence, nodeB.missingChunks(sequence)));
      assertThat(stored).isEqualTo(all(sequence, nodeB));
      assertThat(nodeB.segmentBytes(sequence))
          .contains(nodeA.store.segmentBytes(sequence).orElseThrow());
      payload += nodeA.store.segmentBytes(sequence).orElseThrow().length;
    }
    assertThat(fetcher.bytesFetched()).isGreaterThan(payload).isLessThan(payload + 200_000);
    assertThat(fetcher.failures()).isZero();
    // Asking again costs nothing: what is held is not fetched.
    long before = fetcher.bytesFetched();
    assertThat(await(fetcher.fetchHeader(200))).isTrue();
    assertThat(await(fetcher.fetchChunks(200, List.of(0, 1)))).isEmpty();
    assertThat(fetcher.bytesFetched()).isEqualTo(before);
    fetcher.close();
  }

  @Test
  @DisplayName(
      "scattered missing chunks: one Range request per run, only those chunks stored and returned")
  void scatteredChunks() throws Exception {
    MediaSegment segment = nodeA.segments.get(1);
    StoreFixture nodeB = new StoreFixture();
    int count = nodeA.headers.get(1).header().chunkCount();
    assertThat(count).isGreaterThanOrEqualTo(4);
    nodeB.publish(segment, List.of(0, 3)); // holds 0 and 3 of 201
    FallbackFetcher fetcher = fetcher(nodeB.store, FallbackFetcher.DEFAULT_TIMEOUT, good);
    List<Integer> wanted = nodeB.store.missingChunks(201);
    assertThat(await(fetcher.fetchChunks(201, wanted))).isEqualTo(wanted);
    assertThat(nodeB.store.segmentBytes(201)).contains(segment.bytes());
  }

  @Test
  @DisplayName(
      "a server flipping a byte is rejected by the store; the fetch falls through to a good URL")
  void tamperedServerRejected() throws Exception {
    SegmentStore nodeB = nodeA.emptyPeer();
    FallbackFetcher fetcher = fetcher(nodeB, FallbackFetcher.DEFAULT_TIMEOUT, tampered, good);
    int hitsBefore = tamperedHits.get();
    assertThat(await(fetcher.fetchHeader(203))).isTrue(); // the header is genuine even there
    fetcher.startAt(0);
    List<Integer> stored = await(fetcher.fetchChunks(203, nodeB.missingChunks(203)));
    assertThat(stored).isEqualTo(all(203, nodeB));
    assertThat(nodeB.segmentBytes(203)).contains(nodeA.store.segmentBytes(203).orElseThrow());
    assertThat(tamperedHits.get() - hitsBefore).isGreaterThanOrEqualTo(2);
    assertThat(fetcher.failures()).isEqualTo(1);
    // The liar goes to the back of the line for a while, wherever the rotation starts.
    fetcher.startAt(0);
    assertThat(fetcher.order()).containsExactly(good, tampered);
    // With only the liar left, nothing false gets in.
    FallbackFetcher liarOnly = fetcher(nodeB, FallbackFetcher.DEFAULT_TIMEOUT, tampered);
    SegmentStore nodeC = nodeA.emptyPeer();
    FallbackFetcher liarForC = fetcher(nodeC, FallbackFetcher.DEFAULT_TIMEOUT, tampered);
    assertThat(await(liarForC.fetchHeader(204))).isTrue();
    // The flipped byte spoils one chunk of the range; the others are genuine and may be kept.
    List<Integer> kept = await(liarForC.fetchChunks(204, nodeC.missingChunks(204)));
    assertThat(kept).hasSizeLessThan(all(204, nodeC).size());
    assertThat(nodeC.isComplete(204)).isFalse();
    for (int index : kept) {
      assertThat(nodeC.chunk(204, index)).contains(nodeA.store.chunk(204, index).orElseThrow());
    }
    liarOnly.close();
  }

  @Test
  @DisplayName(
      "a node holding a segment partly serves its chunks; the rest comes from the next URL")
  void partialHolderThenGood() throws Exception {
    SegmentStore nodeB = nodeA.emptyPeer();
    FallbackFetcher fetcher = fetcher(nodeB, FallbackFetcher.DEFAULT_TIMEOUT, partial, good);
    assertThat(await(fetcher.fetchHeader(202))).isTrue();
    fetcher.startAt(0);
    assertThat(await(fetcher.fetchChunks(202, nodeB.missingChunks(202))))
        .isEqualTo(all(202, nodeB));
    assertThat(nodeB.segmentBytes(202)).contains(nodeA.store.segmentBytes(202).orElseThrow());
    assertThat(fetcher.failures()).isEqualTo(1); // the partial node could not give everything
  }

  @Test
  @DisplayName(
      "a silent server times out, a closed port fails at once; both fall through; none left gives empty")
  void timeoutsFallThrough() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    SegmentStore nodeB = nodeA.emptyPeer();
    FallbackFetcher fetcher =
        fetcher(nodeB, Duration.ofMillis(300), silent, "http://127.0.0.1:" + closedPort, good);
    long started = System.nanoTime();
    assertThat(await(fetcher.listAvailable())).hasSize(5);
    fetcher.startAt(0);
    assertThat(await(fetcher.fetchHeader(204))).isTrue();
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertThat(millis).isBetween(550L, 3_000L);
    assertThat(fetcher.failures()).isEqualTo(4);

    FallbackFetcher nobody = new FallbackFetcher(vertx, "demo", nodeB, List::of);
    assertThat(await(nobody.listAvailable())).isEmpty();
    assertThat(await(nobody.fetchHeader(1))).isFalse();
    FallbackFetcher broken =
        new FallbackFetcher(
            vertx,
            "demo",
            nodeB,
            () -> {
              throw new IllegalStateException("no list");
            });
    assertThat(await(broken.fetchHeader(1))).isFalse();
    FallbackFetcher garbage = fetcher(nodeB, Duration.ofMillis(300), "not a url", "http://[::1");
    assertThat(await(garbage.fetchHeader(1))).isFalse();
  }

  @Test
  @DisplayName("a response larger than it can be is cut off, not buffered")
  void oversizedResponse() throws Exception {
    byte[] huge = new byte[8 << 20];
    String flood =
        HttpFixture.base(
            HttpFixture.listen(vertx, request -> request.response().end(Buffer.buffer(huge))));
    SegmentStore nodeB = nodeA.emptyPeer();
    FallbackFetcher fetcher = fetcher(nodeB, FallbackFetcher.DEFAULT_TIMEOUT, flood, good);
    assertThat(await(fetcher.fetchHeader(200))).isTrue();
    assertThat(fetcher.failures()).isEqualTo(1);
    assertThat(fetcher.bytesFetched()).isLessThan(1 << 20);
  }

  @Test
  @DisplayName("callbacks run on the Vert.x context the fetch was started on")
  void callbacksOnCallersContext() throws Exception {
    SegmentStore nodeB = nodeA.emptyPeer();
    FallbackFetcher fetcher = fetcher(nodeB, Duration.ofMillis(300), silent, tampered, good);
    io.vertx.core.Context context = vertx.getOrCreateContext();
    java.util.concurrent.CompletableFuture<Boolean> sameContext =
        new java.util.concurrent.CompletableFuture<>();
    context.runOnContext(
        v ->
            fetcher
                .fetchHeader(201)
                .compose(ok -> fetcher.fetchChunks(201, nodeB.missingChunks(201)))
                .onComplete(
                    ar ->
                        sameContext.complete(
                            ar.succeeded() && io.vertx.core.Vertx.currentContext() == context)));
    assertThat(sameContext.get(20, TimeUnit.SECONDS)).isTrue();
    assertThat(nodeB.isComplete(201)).isTrue();
  }

  @Test
  void runsOfConsecutiveIndices() {
    assertThat(ChunkRequests.runs(List.of(0, 1, 2, 5, 7, 8)))
        .containsExactly(List.of(0, 1, 2), List.of(5), List.of(7, 8));
    assertThat(ChunkRequests.runs(new ArrayList<>())).isEmpty();
  }
}
