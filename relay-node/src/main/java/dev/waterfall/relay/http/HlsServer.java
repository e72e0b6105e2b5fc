package dev.waterfall.relay.http;

import dev.waterfall.protocol.http.Cors;
import dev.waterfall.relay.frame.Frame;
import dev.waterfall.relay.frame.FrameCodec;
import dev.waterfall.relay.segment.SegmentHeader;
import dev.waterfall.relay.segment.SignedHeader;
import dev.waterfall.relay.store.PlaylistBuilder;
import dev.waterfall.relay.store.SegmentStore;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The read-only HLS view of one stream's {@link SegmentStore}, for players without WebRTC and for
 * other nodes healing what their parent did not deliver (see {@link HlsPaths} for the URLs):
 *
 * <ul>
 *   <li>{@code index.m3u8}: the playlist rebuilt from signed headers; 503 until a segment is
 *       complete;
 *   <li>{@code seg-N.ts}: a complete segment, with single-range support (206 / 416);
 *   <li>{@code seg-N.hdr}: the signed header as a binary HEADER frame, so a fetcher verifies what
 *       it gets;
 *   <li>{@code seg-N.ts/chunk/i}: one chunk, also of a segment this node holds only partly.
 * </ul>
 *
 * Everything here was verified on its way into the store, so it is served as is. Handlers only copy
 * bytes out of the thread-safe store: they run on the event loop without blocking it.
 */
public final class HlsServer {

  private static final Pattern SEGMENT = Pattern.compile("seg-([^/]*)\\.(ts|hdr)");

  /**
   * Immutable once signed: a sequence number is never reused with other bytes (docs/protocol.md,
   * segment store).
   */
  static final String IMMUTABLE = "public, max-age=31536000, immutable";

  static final String PLAYLIST_TYPE = "application/vnd.apple.mpegurl";
  static final String SEGMENT_TYPE = "video/mp2t";
  static final String HEADER_TYPE = "application/octet-stream";

  private final String stream;
  private final SegmentStore store;
  private final PlaylistBuilder playlists;
  private final java.util.concurrent.atomic.LongAdder served =
      new java.util.concurrent.atomic.LongAdder();

  public HlsServer(String stream, SegmentStore store, PlaylistBuilder playlists) {
    this.stream = stream;
    this.store = store;
    this.playlists = playlists;
  }

  public HlsServer(String stream, SegmentStore store) {
    this(stream, store, new PlaylistBuilder());
  }

  /**
   * Body bytes of successful GETs so far: what this node has served over HTTP (its egress besides
   * WebRTC).
   */
  public long bytesServed() {
    return served.sum();
  }

  /** Routes everything under {@code /hls/} to this server; other paths stay the router owner's. */
  public HlsServer mount(Router router) {
    router.route(HlsPaths.PREFIX + "*").handler(this::handle);
    return this;
  }

  void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    HttpServerResponse response = request.response();
    try {
      Cors.allow(response);
      HttpMethod method = request.method();
      if (HttpMethod.OPTIONS.equals(method)) {
        Cors.preflight(request);
        return;
      }
      if (!HttpMethod.GET.equals(method) && !HttpMethod.HEAD.equals(method)) {
        response.putHeader("Allow", Cors.METHODS);
        text(request, 405, "read only: " + Cors.METHODS);
        return;
      }
      route(request, ctx.normalizedPath());
    } catch (BadRequest e) {
      text(request, 400, e.getMessage());
    } catch (RuntimeException e) {
      // Nothing a client sends may turn into a 500 with a stack trace; log-free because it is the
      // client's doing.
      text(request, 400, "bad request: " + e.getMessage());
    }
  }

  private void route(HttpServerRequest request, String path) {
    String[] parts = path.substring(HlsPaths.PREFIX.length()).split("/", -1);
    if (parts.length < 2) {
      notFound(request, "no such resource: " + path);
      return;
    }
    String asked = decode(parts[0]);
    if (!asked.equals(stream)) {
      notFound(
          request, "stream '" + asked + "' is not served here; this node serves '" + stream + "'");
      return;
    }
    if (parts.length == 2 && HlsPaths.PLAYLIST.equals(parts[1])) {
      playlist(request);
      return;
    }
    Matcher matcher = SEGMENT.matcher(parts[1]);
    if (!matcher.matches()) {
      notFound(request, "no such resource: " + path);
      return;
    }
    boolean ts = "ts".equals(matcher.group(2));
    if (parts.length == 2) {
      long sequence = sequence(matcher.group(1));
      if (ts) {
        segment(request, sequence);
      } else {
        header(request, sequence);
      }
    } else if (parts.length == 4 && ts && HlsPaths.CHUNK_DIR.equals(parts[2])) {
      chunk(request, sequence(matcher.group(1)), index(parts[3]));
    } else {
      notFound(request, "no such resource: " + path);
    }
  }

  private void playlist(HttpServerRequest request) {
    Optional<String> playlist = playlists.build(store);
    if (playlist.isEmpty()) {
      request.response().putHeader("Retry-After", "1");
      text(request, 503, "no segment yet: stream '" + stream + "' has no complete segment here");
      return;
    }
    request.response().putHeader("Cache-Control", "no-cache");
    send(request, 200, PLAYLIST_TYPE, playlist.get().getBytes(StandardCharsets.UTF_8));
  }

  private void segment(HttpServerRequest request, long sequence) {
    Optional<byte[]> bytes = store.segmentBytes(sequence);
    if (bytes.isEmpty()) {
      notFound(request, "segment " + sequence + " is not complete here");
      return;
    }
    byte[] data = bytes.get();
    HttpServerResponse response = request.response();
    response.putHeader("Accept-Ranges", "bytes");
    ByteRange.Parsed range = ByteRange.parse(request.getHeader("Range"), data.length);
    if (range.kind() == ByteRange.Kind.UNSATISFIABLE) {
      response.putHeader("Content-Range", "bytes */" + data.length);
      text(
          request,
          416,
          "range not satisfiable: segment " + sequence + " has " + data.length + " bytes");
      return;
    }
    response.putHeader("Cache-Control", IMMUTABLE);
    if (range.kind() == ByteRange.Kind.PARTIAL) {
      ByteRange r = range.range();
      response.putHeader("Content-Range", r.contentRange(data.length));
      send(
          request,
          206,
          SEGMENT_TYPE,
          Arrays.copyOfRange(data, (int) r.first(), (int) r.last() + 1));
    } else {
      send(request, 200, SEGMENT_TYPE, data);
    }
  }

  private void header(HttpServerRequest request, long sequence) {
    Optional<SignedHeader> signed = store.header(sequence);
    if (signed.isEmpty()) {
      notFound(request, "no header for segment " + sequence + " here");
      return;
    }
    request.response().putHeader("Cache-Control", IMMUTABLE);
    send(request, 200, HEADER_TYPE, FrameCodec.encode(new Frame.Header(signed.get())));
  }

  private void chunk(HttpServerRequest request, long sequence, int index) {
    Optional<byte[]> chunk = store.chunk(sequence, index);
    if (chunk.isEmpty()) {
      notFound(request, "chunk " + index + " of segment " + sequence + " is not held here");
      return;
    }
    request.response().putHeader("Cache-Control", IMMUTABLE);
    send(request, 200, SEGMENT_TYPE, chunk.get());
  }

  /** A media sequence: plain digits up to 2^53 - 1, the largest any header carries. */
  static long sequence(String digits) {
    long value = number(digits, 16, "segment number");
    if (value > SegmentHeader.MAX_SAFE_INTEGER) {
      throw new BadRequest("segment number out of range: " + digits);
    }
    return value;
  }

  /**
   * A chunk index: a u16 on the wire; anything past the header's chunk count simply is not held.
   */
  static int index(String digits) {
    long value = number(digits, 5, "chunk index");
    if (value > 0xFFFF) {
      throw new BadRequest("chunk index out of range: " + digits);
    }
    return (int) value;
  }

  private static long number(String digits, int maxDigits, String what) {
    if (digits.isEmpty()
        || digits.length() > maxDigits
        || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new BadRequest("malformed " + what + ": '" + digits + "'");
    }
    return Long.parseLong(digits);
  }

  private static String decode(String pathSegment) {
    try {
      // URLDecoder is for forms: keep a literal '+' a '+' in a path.
      return URLDecoder.decode(pathSegment.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new BadRequest("malformed path segment: " + pathSegment);
    }
  }

  private void notFound(HttpServerRequest request, String message) {
    text(request, 404, message);
  }

  private void text(HttpServerRequest request, int status, String message) {
    // An error now may be a success a moment later (the segment arrives): never let it be cached.
    request.response().putHeader("Cache-Control", "no-store");
    send(
        request,
        status,
        "text/plain; charset=utf-8",
        (message + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Sends the body, or for HEAD only its length, so HEAD answers exactly like GET without the
   * bytes.
   */
  private void send(HttpServerRequest request, int status, String contentType, byte[] body) {
    HttpServerResponse response = request.response();
    response.setStatusCode(status);
    response.putHeader("Content-Type", contentType);
    if (HttpMethod.HEAD.equals(request.method())) {
      response.putHeader("Content-Length", Integer.toString(body.length));
      response.end();
    } else {
      if (status < 300) {
        served.add(body.length);
      }
      response.end(Buffer.buffer(body));
    }
  }

  /** A request this server cannot make sense of: answered 400 with the reason. */
  static final class BadRequest extends RuntimeException {
    BadRequest(String message) {
      super(message, null, false, false);
    }
  }
}
