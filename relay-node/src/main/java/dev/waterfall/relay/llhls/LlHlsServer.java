package dev.waterfall.relay.llhls;

import dev.waterfall.protocol.http.Cors;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * LL-HLS over HTTP from the origin's {@link PartStore}, beside the classic {@code /hls/} paths:
 *
 * <ul>
 *   <li>{@code /ll/<stream>/index.m3u8}: the playlist; with {@code ?_HLS_msn=N[&_HLS_part=M]} held
 *       until it holds that segment (part), at most 3 target durations, then 503; too far ahead:
 *       400 at once;
 *   <li>{@code init.mp4}, {@code seg-<msn>.m4s}: the init segment and complete segments;
 *   <li>{@code part-<id>.m4s}: a part; the hinted next part (and a few after it) is held until it
 *       is complete and then sent whole; a part long gone, or far ahead, is 404.
 * </ul>
 *
 * Nothing sleeps: a held request is a waiter woken by the store's change listener on the request's
 * own context, with a Vert.x timer as its bound.
 */
public final class LlHlsServer {

  public static final String PREFIX = "/ll/";
  static final String PLAYLIST = "index.m3u8";
  static final String PLAYLIST_TYPE = "application/vnd.apple.mpegurl";
  static final String MEDIA_TYPE = "video/mp4";

  /**
   * Requests held at once; beyond this a blocking request is answered 503 at once rather than held.
   */
  static final int MAX_WAITERS = 10_000;

  private static final Pattern SEGMENT = Pattern.compile("seg-([0-9]{1,16})\\.m4s");
  private static final Pattern PART = Pattern.compile("part-([0-9]{1,16})\\.m4s");
  private static final Pattern PART_HEADER = Pattern.compile("part-([0-9]{1,16})\\.hdr");
  static final String INIT_HEADER = "init.hdr";

  private final String stream;
  private final PartStore store;
  private final LlSettings settings;
  private final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();
  private final LongAdder served = new LongAdder();
  private PartLedger signed;

  public LlHlsServer(String stream, PartStore store, LlSettings settings) {
    this.stream = stream;
    this.store = store;
    this.settings = settings;
    store.onChange(() -> waiters.forEach(Waiter::poke));
  }

  /**
   * Also serves the signed frames ({@code part-<id>.hdr}, {@code init.hdr}) from {@code ledger}, so
   * a node heals a part over HTTP and verifies it as if its parent had sent it.
   */
  public LlHlsServer withSignedFrames(PartLedger ledger) {
    this.signed = ledger;
    return this;
  }

  public static String playlistPath(String stream) {
    return PREFIX
        + java.net.URLEncoder.encode(stream, StandardCharsets.UTF_8).replace("+", "%20")
        + "/"
        + PLAYLIST;
  }

  public LlHlsServer mount(Router router) {
    router.route(PREFIX + "*").handler(this::handle);
    return this;
  }

  public long bytesServed() {
    return served.sum();
  }

  /** Requests held right now (tests and metrics). */
  public int waiting() {
    return waiters.size();
  }

  void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    HttpServerResponse response = request.response();
    try {
      Cors.allow(response);
      if (HttpMethod.OPTIONS.equals(request.method())) {
        Cors.preflight(request);
        return;
      }
      if (!HttpMethod.GET.equals(request.method()) && !HttpMethod.HEAD.equals(request.method())) {
        response.putHeader("Allow", Cors.METHODS);
        text(request, 405, "read only: " + Cors.METHODS);
        return;
      }
      route(ctx.vertx(), request, ctx.normalizedPath());
    } catch (IllegalArgumentException e) {
      text(request, 400, e.getMessage());
    }
  }

  private void route(Vertx vertx, HttpServerRequest request, String path) {
    String[] parts = path.substring(PREFIX.length()).split("/", -1);
    if (parts.length != 2) {
      text(request, 404, "no such resource: " + path);
      return;
    }
    String asked = java.net.URLDecoder.decode(parts[0].replace("+", "%2B"), StandardCharsets.UTF_8);
    if (!asked.equals(stream)) {
      text(
          request,
          404,
          "stream '" + asked + "' is not served here; this node serves '" + stream + "'");
      return;
    }
    String file = parts[1];
    Matcher segment = SEGMENT.matcher(file);
    Matcher part = PART.matcher(file);
    if (file.equals(PLAYLIST)) {
      playlist(
          vertx,
          request,
          BlockingReload.parse(request.getParam("_HLS_msn"), request.getParam("_HLS_part")));
    } else if (file.equals(LlPlaylist.INIT_URI)) {
      byte[] init = store.snapshot().init();
      if (init == null) {
        text(request, 404, "no init segment yet");
      } else {
        media(request, init, "public, max-age=60");
      }
    } else if (segment.matches()) {
      Optional<LlSegment> s = store.snapshot().segment(Long.parseLong(segment.group(1)));
      if (s.isEmpty() || !s.get().complete()) {
        text(request, 404, "segment " + segment.group(1) + " is not complete here");
      } else {
        media(request, s.get().bytes(), "public, max-age=60");
      }
    } else if (part.matches()) {
      part(vertx, request, Long.parseLong(part.group(1)));
    } else if (signed != null
        && (file.equals(INIT_HEADER) || PART_HEADER.matcher(file).matches())) {
      Matcher header = PART_HEADER.matcher(file);
      Optional<byte[]> frame =
          header.matches()
              ? signed.headerFrame(Long.parseLong(header.group(1)))
              : signed.initFrame();
      if (frame.isEmpty()) {
        text(request, 404, file + " is not held here");
      } else {
        request.response().putHeader("Cache-Control", "public, max-age=60");
        send(request, 200, "application/octet-stream", frame.get());
      }
    } else {
      text(request, 404, "no such resource: " + path);
    }
  }

  private void playlist(Vertx vertx, HttpServerRequest request, BlockingReload reload) {
    LlSnapshot now = store.snapshot();
    if (!now.hasMedia()) {
      request.response().putHeader("Retry-After", "1");
      text(request, 503, "no part yet: stream '" + stream + "' has not produced any LL-HLS media");
      return;
    }
    if (reload.tooFarAhead(now, settings)) {
      text(
          request,
          400,
          "_HLS_msn="
              + reload.msn()
              + (reload.part() == null ? "" : " _HLS_part=" + reload.part())
              + " is too far ahead of the live edge (segment "
              + now.last().msn()
              + ", part "
              + (now.last().parts().size() - 1)
              + ")");
      return;
    }
    hold(
        vertx,
        request,
        s -> !reload.blocks() || s.satisfies(reload.msn(), reload.part()),
        s -> {
          request.response().putHeader("Cache-Control", "no-cache");
          send(
              request,
              200,
              PLAYLIST_TYPE,
              LlPlaylist.render(s, settings).getBytes(StandardCharsets.UTF_8));
        },
        "the playlist did not reach segment "
            + reload.msn()
            + " part "
            + reload.part()
            + " in time");
  }

  private void part(Vertx vertx, HttpServerRequest request, long id) {
    LlSnapshot now = store.snapshot();
    if (id < now.firstPartId() || id >= now.nextPartId() + settings.advancePartLimit()) {
      text(
          request,
          404,
          "part "
              + id
              + " is not held here (held: "
              + now.firstPartId()
              + " to "
              + (now.nextPartId() - 1)
              + ")");
      return;
    }
    // The preload hint names the next part before it exists: hold the request until it is complete,
    // then send it whole (a part is whole fragments, which ffmpeg hands over only once written, so
    // streaming it as it is written would gain nothing here).
    hold(
        vertx,
        request,
        s -> s.nextPartId() > id,
        s -> {
          Optional<LlPart> p = s.part(id);
          if (p.isEmpty()) {
            text(request, 404, "part " + id + " is gone");
          } else {
            media(request, p.get().bytes(), "public, max-age=60");
          }
        },
        "part " + id + " was not produced in time");
  }

  /**
   * Answers with {@code answer} once {@code ready} holds for the store, or 503 after the block
   * limit.
   */
  private void hold(
      Vertx vertx,
      HttpServerRequest request,
      Predicate<LlSnapshot> ready,
      java.util.function.Consumer<LlSnapshot> answer,
      String timeoutMessage) {
    LlSnapshot now = store.snapshot();
    if (ready.test(now)) {
      answer.accept(now);
      return;
    }
    if (waiters.size() >= MAX_WAITERS) {
      request.response().putHeader("Retry-After", "1");
      text(request, 503, "too many held requests");
      return;
    }
    Waiter waiter = new Waiter(vertx.getOrCreateContext(), ready, answer);
    waiters.add(waiter);
    waiter.timer =
        vertx.setTimer(
            settings.blockLimitMillis(),
            id -> {
              if (waiter.finish()) {
                text(request, 503, timeoutMessage);
              }
            });
    request.response().closeHandler(v -> waiter.finish());
    waiter.poke(); // the part may have come between the check above and the registration
  }

  /** A held request: checked again on its own context whenever the store changes. */
  private final class Waiter {
    final Context context;
    final Predicate<LlSnapshot> ready;
    final java.util.function.Consumer<LlSnapshot> answer;
    long timer = -1;
    boolean done;

    Waiter(
        Context context,
        Predicate<LlSnapshot> ready,
        java.util.function.Consumer<LlSnapshot> answer) {
      this.context = context;
      this.ready = ready;
      this.answer = answer;
    }

    /** From any thread: look again, on the request's context. */
    void poke() {
      context.runOnContext(
          v -> {
            LlSnapshot s = store.snapshot();
            if (!done && ready.test(s) && finish()) {
              answer.accept(s);
            }
          });
    }

    /** On the context: true the first time, when the caller is the one to answer. */
    boolean finish() {
      if (done) {
        return false;
      }
      done = true;
      waiters.remove(this);
      if (timer >= 0) {
        context.owner().cancelTimer(timer);
      }
      return true;
    }
  }

  private void media(HttpServerRequest request, byte[] bytes, String cache) {
    request.response().putHeader("Cache-Control", cache);
    send(request, 200, MEDIA_TYPE, bytes);
  }

  private void text(HttpServerRequest request, int status, String message) {
    request.response().putHeader("Cache-Control", "no-store");
    send(
        request,
        status,
        "text/plain; charset=utf-8",
        (message + "\n").getBytes(StandardCharsets.UTF_8));
  }

  private void send(HttpServerRequest request, int status, String type, byte[] body) {
    HttpServerResponse response = request.response();
    if (response.ended() || response.closed()) {
      return;
    }
    response.setStatusCode(status).putHeader("Content-Type", type);
    if (HttpMethod.HEAD.equals(request.method())) {
      response.putHeader("Content-Length", Integer.toString(body.length)).end();
    } else {
      if (status < 300) {
        served.add(body.length);
      }
      response.end(Buffer.buffer(body));
    }
  }
}
