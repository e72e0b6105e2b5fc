package dev.waterfall.relay.http;

import dev.waterfall.relay.frame.Frame;
import dev.waterfall.relay.frame.FrameCodec;
import dev.waterfall.relay.segment.SegmentHeader;
import dev.waterfall.relay.segment.SignedHeader;
import dev.waterfall.relay.source.MediaPlaylist;
import dev.waterfall.relay.source.PlaylistParser;
import dev.waterfall.relay.store.ChunkResult;
import dev.waterfall.relay.store.SegmentStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches over HTTP what a node's parent did not deliver, from the fallback list (the origin and
 * boosters serving {@link HlsServer}'s paths). How, not when: the node core decides when a header
 * or chunk is late.
 *
 * <p>Every fetch starts at the next URL in turn (from a random offset, so boosters share the load),
 * and falls through to the next URL on an error, a timeout, or data the store rejects; a URL that
 * served data failing verification is tried last for a minute ({@link FallbackOrder}). Nothing is
 * trusted: whatever arrives goes through {@link SegmentStore#addHeader} / {@link
 * SegmentStore#addChunk}, which verify it. The returned futures never fail: they report what was
 * achieved. Callbacks run on the Vert.x context the method was called on.
 */
public final class FallbackFetcher {

  private static final Logger log = LoggerFactory.getLogger(FallbackFetcher.class);

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
  private static final int MAX_PLAYLIST_BYTES = 1 << 20;

  /** A large range gets extra time beyond the timeout: 1 s per MiB on top. */
  private static final long BYTES_PER_EXTRA_MILLI = 1 << 10;

  private static final Pattern SEGMENT_URI = Pattern.compile("(?:.*/)?seg-(\\d{1,16})\\.ts");

  private final WebClient client;
  private final String stream;
  private final SegmentStore store;
  private final FallbackOrder order;
  private final long timeoutMillis;
  private final LongAdder bytesFetched = new LongAdder();
  private final LongAdder failures = new LongAdder();

  public FallbackFetcher(
      Vertx vertx, String stream, SegmentStore store, Supplier<List<String>> fallbacks) {
    this(vertx, stream, store, fallbacks, DEFAULT_TIMEOUT);
  }

  /**
   * @param fallbacks base URLs such as {@code http://10.0.0.5:8090}; asked again on every fetch,
   *     since the coordinator changes the list
   * @param timeout per URL: connecting, and silence while reading, before the next URL is tried
   */
  public FallbackFetcher(
      Vertx vertx,
      String stream,
      SegmentStore store,
      Supplier<List<String>> fallbacks,
      Duration timeout) {
    this(vertx, stream, store, fallbacks, timeout, null);
  }

  /**
   * As above; an https fallback's certificate is checked against {@code trust} (null: the JVM's
   * authorities).
   */
  public FallbackFetcher(
      Vertx vertx,
      String stream,
      SegmentStore store,
      Supplier<List<String>> fallbacks,
      Duration timeout,
      io.vertx.core.net.TrustOptions trust) {
    this.stream = stream;
    this.store = store;
    this.order = new FallbackOrder(fallbacks);
    this.timeoutMillis = Math.max(1, timeout.toMillis());
    WebClientOptions options =
        new WebClientOptions()
            .setUserAgent("waterfall-relay")
            .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMillis));
    if (trust != null) {
      options.setTrustOptions(trust);
    }
    this.client = WebClient.create(vertx, options);
  }

  /**
   * Makes the next fetch start at position {@code index} of the list: tests pin the order with it.
   */
  void startAt(int index) {
    order.startAt(index);
  }

  /** Response body bytes received from fallback URLs, useful or not. */
  public long bytesFetched() {
    return bytesFetched.sum();
  }

  /** Attempts that fell through to the next URL (error, timeout, bad data). */
  public long failures() {
    return failures.sum();
  }

  /**
   * Gets the signed header of {@code sequence} into the store. True when the store holds it now;
   * false when no URL had a header the store accepted (or the segment is older than what the store
   * still takes).
   */
  public Future<Boolean> fetchHeader(long sequence) {
    try {
      if (store.header(sequence).isPresent()) {
        return Future.succeededFuture(true);
      }
      return firstThat(order(), base -> headerFrom(base, sequence), false);
    } catch (RuntimeException e) {
      log.warn("fallback header fetch of segment {} failed", sequence, e);
      return Future.succeededFuture(false);
    }
  }

  /**
   * Gets chunks of {@code sequence} into the store; its header must be held already (see {@link
   * #fetchHeader}). Each URL is asked for what is still missing: one Range request per run of
   * consecutive chunks, or, from a node that holds the segment only partly, {@code chunk/<i>}
   * requests. Completes with the indices this call stored, ascending, which the caller forwards to
   * its children; chunks that arrived meanwhile by another way are not listed again.
   */
  public Future<List<Integer>> fetchChunks(long sequence, List<Integer> indices) {
    try {
      Optional<SignedHeader> signed = store.header(sequence);
      if (signed.isEmpty() || indices.isEmpty()) {
        return Future.succeededFuture(List.of());
      }
      SegmentHeader header = signed.get().header();
      TreeSet<Integer> wanted = new TreeSet<>();
      for (Integer index : indices) {
        if (index != null && index >= 0 && index < header.chunkCount()) {
          wanted.add(index);
        }
      }
      Set<Integer> stored = new ConcurrentSkipListSet<>();
      return firstThat(order(), base -> chunksFrom(base, header, wanted, stored), null)
          .map(v -> List.copyOf(stored));
    } catch (RuntimeException e) {
      log.warn("fallback chunk fetch of segment {} failed", sequence, e);
      return Future.succeededFuture(List.of());
    }
  }

  /**
   * The sequences listed by the playlist of the first URL that answers, in order; empty if none
   * does.
   */
  public Future<List<Long>> listAvailable() {
    try {
      return firstThat(
          order(),
          base ->
              get(base, HlsPaths.playlist(stream), null, MAX_PLAYLIST_BYTES)
                  .map(response -> sequences(PlaylistParser.parse(response.bodyAsString()))),
          List.of());
    } catch (RuntimeException e) {
      log.warn("fallback playlist fetch failed", e);
      return Future.succeededFuture(List.of());
    }
  }

  public void close() {
    client.close();
  }

  // --- one URL at a time
  // ---------------------------------------------------------------------------------

  private Future<Boolean> headerFrom(String base, long sequence) {
    return get(base, HlsPaths.header(stream, sequence), null, FrameCodec.MAX_FRAME_BYTES)
        .compose(
            response -> {
              Frame frame = FrameCodec.decode(response.body().getBytes());
              if (!(frame instanceof Frame.Header h) || h.signed().sequence() != sequence) {
                return distrust(base, "did not answer with the header of segment " + sequence);
              }
              switch (store.addHeader(h.signed())) {
                case STORED:
                case DUPLICATE:
                  return Future.succeededFuture(true);
                case TOO_OLD:
                  return Future.succeededFuture(
                      false); // no URL can help: the store will not take it
                default:
                  return distrust(
                      base, "served a header of segment " + sequence + " that failed verification");
              }
            });
  }

  /**
   * Succeeds once every wanted chunk is held; fails, so the next URL is tried, while some are
   * missing.
   */
  private Future<Void> chunksFrom(
      String base, SegmentHeader header, TreeSet<Integer> wanted, Set<Integer> stored) {
    List<Integer> missing = stillMissing(header.sequence(), wanted);
    if (missing.isEmpty()) {
      return Future.succeededFuture();
    }
    Attempt attempt = new Attempt(base, header, stored);
    List<Future<Void>> runs = new ArrayList<>();
    for (List<Integer> run : runs(missing)) {
      runs.add(run.size() == 1 ? chunkFrom(attempt, run.get(0)) : rangeFrom(attempt, run));
    }
    return Future.join(runs)
        .transform(
            ignored -> {
              if (attempt.rejected.get()) {
                return distrust(
                    base,
                    "served chunks of segment " + header.sequence() + " that failed verification");
              }
              if (attempt.gone.get() || stillMissing(header.sequence(), wanted).isEmpty()) {
                // complete, or evicted meanwhile: nothing left to ask anyone for
                return Future.succeededFuture();
              }
              Throwable cause =
                  runs.stream().filter(Future::failed).map(Future::cause).findFirst().orElse(null);
              return Future.failedFuture(
                  "incomplete from " + base + (cause == null ? "" : ": " + cause.getMessage()));
            });
  }

  /**
   * One request for consecutive chunks; a node holding the segment only partly answers 404, so ask
   * per chunk.
   */
  private Future<Void> rangeFrom(Attempt attempt, List<Integer> run) {
    SegmentHeader header = attempt.header;
    int first = header.chunkOffset(run.get(0));
    int last =
        header.chunkOffset(run.get(run.size() - 1))
            + header.chunkLength(run.get(run.size() - 1))
            - 1;
    String range = "bytes=" + first + "-" + last;
    // A server may ignore Range and send everything: allow the whole segment.
    return get(
            attempt.base, HlsPaths.segment(stream, header.sequence()), range, header.byteLength())
        .compose(
            response -> {
              byte[] body = response.body().getBytes();
              int bodyStart;
              if (response.statusCode() == 206) {
                String contentRange = response.getHeader("Content-Range");
                if (contentRange == null
                    || !contentRange.strip().startsWith("bytes " + first + "-" + last + "/")
                    || body.length != last - first + 1) {
                  return Future.failedFuture(
                      "unexpected range " + contentRange + " from " + attempt.base);
                }
                bodyStart = first;
              } else if (body.length == header.byteLength()) {
                bodyStart = 0;
              } else {
                return Future.failedFuture(
                    "segment of " + body.length + " bytes from " + attempt.base);
              }
              for (int index : run) {
                int from = header.chunkOffset(index) - bodyStart;
                keep(
                    attempt,
                    index,
                    Arrays.copyOfRange(body, from, from + header.chunkLength(index)));
              }
              return Future.<Void>succeededFuture();
            })
        .recover(
            failure ->
                failure instanceof HttpStatus status && (status.code == 404 || status.code == 416)
                    ? Future.join(run.stream().map(index -> chunkFrom(attempt, index)).toList())
                        .mapEmpty()
                    : Future.failedFuture(failure));
  }

  private Future<Void> chunkFrom(Attempt attempt, int index) {
    SegmentHeader header = attempt.header;
    return get(
            attempt.base,
            HlsPaths.chunk(stream, header.sequence(), index),
            null,
            header.chunkLength(index))
        .map(
            response -> {
              keep(attempt, index, response.body().getBytes());
              return null;
            });
  }

  private void keep(Attempt attempt, int index, byte[] bytes) {
    ChunkResult result = store.addChunk(attempt.header.sequence(), index, bytes);
    if (result == ChunkResult.STORED) {
      attempt.stored.add(index);
    } else if (result == ChunkResult.REJECTED) {
      attempt.rejected.set(true);
    } else if (result == ChunkResult.UNKNOWN_SEGMENT) {
      attempt.gone.set(true);
    }
  }

  /** One URL's try at one segment's chunks. */
  private static final class Attempt {
    final String base;
    final SegmentHeader header;
    final Set<Integer> stored;
    final AtomicBoolean rejected = new AtomicBoolean();
    final AtomicBoolean gone = new AtomicBoolean();

    Attempt(String base, SegmentHeader header, Set<Integer> stored) {
      this.base = base;
      this.header = header;
      this.stored = stored;
    }
  }

  // --- plumbing
  // -----------------------------------------------------------------------------------------

  /** A GET that succeeds only with 200 or 206 and a body within {@code maxBytes}. */
  private Future<HttpResponse<Buffer>> get(String base, String path, String range, int maxBytes) {
    String url = HlsPaths.trimBase(base) + path;
    HttpRequest<Buffer> request =
        client
            .getAbs(url)
            .connectTimeout(timeoutMillis)
            .idleTimeout(timeoutMillis)
            .as(new CappedBody(maxBytes));
    if (range != null) {
      request.putHeader("Range", range);
    }
    long deadline = timeoutMillis + maxBytes / BYTES_PER_EXTRA_MILLI;
    return request
        .send()
        .timeout(deadline, TimeUnit.MILLISECONDS)
        .compose(
            response -> {
              Buffer body = response.body();
              bytesFetched.add(body == null ? 0 : body.length());
              int status = response.statusCode();
              if ((status == 200 || status == 206) && body != null) {
                return Future.succeededFuture(response);
              }
              return Future.failedFuture(new HttpStatus(status, url));
            });
  }

  /**
   * Tries {@code attempt} on each URL in turn until one succeeds; {@code none} when every one
   * failed.
   */
  private <T> Future<T> firstThat(List<String> bases, Function<String, Future<T>> attempt, T none) {
    return tryFrom(bases, 0, attempt, none);
  }

  private <T> Future<T> tryFrom(
      List<String> bases, int i, Function<String, Future<T>> attempt, T none) {
    if (i >= bases.size()) {
      return Future.succeededFuture(none);
    }
    String base = bases.get(i);
    Future<T> result;
    try {
      result = attempt.apply(base);
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    return result.recover(
        failure -> {
          failures.increment();
          log.debug("fallback {} failed: {}", base, failure.toString());
          return tryFrom(bases, i + 1, attempt, none);
        });
  }

  /** The URLs to try, in {@link FallbackOrder}'s order. */
  List<String> order() {
    return order.next();
  }

  private <T> Future<T> distrust(String base, String why) {
    order.distrust(base);
    log.warn("fallback {} {}", base, why);
    return Future.failedFuture(why);
  }

  private List<Integer> stillMissing(long sequence, Set<Integer> wanted) {
    List<Integer> missing = new ArrayList<>();
    for (Integer index : store.missingChunks(sequence)) {
      if (wanted.contains(index)) {
        missing.add(index);
      }
    }
    return missing;
  }

  /** Ascending indices grouped into runs of consecutive ones: each run is one Range request. */
  static List<List<Integer>> runs(List<Integer> ascending) {
    List<List<Integer>> runs = new ArrayList<>();
    List<Integer> run = new ArrayList<>();
    for (Integer index : ascending) {
      if (!run.isEmpty() && index != run.get(run.size() - 1) + 1) {
        runs.add(run);
        run = new ArrayList<>();
      }
      run.add(index);
    }
    if (!run.isEmpty()) {
      runs.add(run);
    }
    return runs;
  }

  /** The sequences a playlist lists: from our own {@code seg-N.ts} names, else by position. */
  static List<Long> sequences(MediaPlaylist playlist) {
    List<Long> sequences = new ArrayList<>(playlist.entries().size());
    for (MediaPlaylist.Entry entry : playlist.entries()) {
      Matcher matcher = SEGMENT_URI.matcher(entry.uri());
      sequences.add(matcher.matches() ? Long.parseLong(matcher.group(1)) : entry.sequence());
    }
    return sequences;
  }
}
