package dev.waterfall.relay.http;

import dev.waterfall.relay.frame.Frame;
import dev.waterfall.relay.frame.FrameCodec;
import dev.waterfall.relay.segment.SegmentHeader;
import dev.waterfall.relay.segment.SignedHeader;
import dev.waterfall.relay.source.MediaPlaylist;
import dev.waterfall.relay.source.PlaylistParser;
import dev.waterfall.relay.store.SegmentStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
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

  private static final Pattern SEGMENT_URI = Pattern.compile("(?:.*/)?seg-(\\d{1,16})\\.ts");

  private final String stream;
  private final SegmentStore store;
  private final FallbackOrder order;
  private final FallbackRequests http;
  private final ChunkRequests chunks;

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
    this.http = new FallbackRequests(vertx, Math.max(1, timeout.toMillis()), trust);
    this.chunks = new ChunkRequests(stream, store, http, this::distrust);
  }

  /**
   * Makes the next fetch start at position {@code index} of the list: tests pin the order with it.
   */
  void startAt(int index) {
    order.startAt(index);
  }

  public long bytesFetched() {
    return http.bytesFetched();
  }

  /** Attempts that fell through to the next URL (error, timeout, bad data). */
  public long failures() {
    return http.failures();
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
      return http.firstThat(order(), base -> headerFrom(base, sequence), false);
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
      return http.firstThat(order(), base -> chunks.chunksFrom(base, header, wanted, stored), null)
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
      return http.firstThat(
          order(),
          base ->
              http.get(base, HlsPaths.playlist(stream), null, MAX_PLAYLIST_BYTES)
                  .map(response -> sequences(PlaylistParser.parse(response.bodyAsString()))),
          List.of());
    } catch (RuntimeException e) {
      log.warn("fallback playlist fetch failed", e);
      return Future.succeededFuture(List.of());
    }
  }

  public void close() {
    http.close();
  }

  // --- the header, from one URL
  // ---------------------------------------------------------------------------------

  private Future<Boolean> headerFrom(String base, long sequence) {
    return http.get(base, HlsPaths.header(stream, sequence), null, FrameCodec.MAX_FRAME_BYTES)
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

  /** The URLs to try, in {@link FallbackOrder}'s order. */
  List<String> order() {
    return order.next();
  }

  private <T> Future<T> distrust(String base, String why) {
    order.distrust(base);
    log.warn("fallback {} {}", base, why);
    return Future.failedFuture(why);
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
