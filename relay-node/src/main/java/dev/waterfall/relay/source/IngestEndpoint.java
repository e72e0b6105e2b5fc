package dev.waterfall.relay.source;

import dev.waterfall.protocol.LogAddresses;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RequestBody;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of {@link IngestSource}: what {@code ffmpeg -f hls -method PUT} sends, i.e. a PUT
 * (or POST) of every segment file and of the playlist after each segment, all with chunked bodies,
 * and a DELETE of files that slid out of the playlist. Every request needs {@code Authorization:
 * Bearer <publish key>} (401 otherwise); only plain names ending in {@code .ts} or {@code .m3u8}
 * are taken (400), each up to the size cap (413). Bodies are collected as they stream in, so a
 * refused upload is cut off early rather than read whole.
 */
final class IngestEndpoint {

  private static final Logger log = LoggerFactory.getLogger(IngestEndpoint.class);

  /** No path tricks: letters, digits, '_', '-', inner dots; then the extension. */
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}\\.(ts|m3u8)");

  static final int MAX_PLAYLIST_BYTES = 1 << 20;

  private final IngestSource source;
  private final LogAddresses addresses;

  IngestEndpoint(IngestSource source, LogAddresses addresses) {
    this.source = source;
    this.addresses = addresses;
  }

  void mount(Router router) {
    router.route(IngestSource.PREFIX + "*").handler(this::handle);
  }

  private void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    try {
      String[] parts = ctx.normalizedPath().substring(IngestSource.PREFIX.length()).split("/", -1);
      if (parts.length != 2 || !parts[0].equals(source.stream())) {
        refuse(
            request,
            404,
            "no ingest for this path; this node ingests stream '" + source.stream() + "'");
        return;
      }
      HttpMethod method = request.method();
      boolean upload = HttpMethod.PUT.equals(method) || HttpMethod.POST.equals(method);
      if (!upload && !HttpMethod.DELETE.equals(method)) {
        request.response().putHeader("Allow", "PUT, POST, DELETE");
        refuse(request, 405, "ingest takes PUT, POST and DELETE");
        return;
      }
      if (!source.authorized(request.getHeader("Authorization"))) {
        request.response().putHeader("WWW-Authenticate", "Bearer realm=\"waterfall-ingest\"");
        log.warn(
            "ingest {} {} from {}: wrong or missing publish key",
            method,
            parts[1],
            addresses.of(
                request.remoteAddress() == null
                    ? "unknown"
                    : request.remoteAddress().hostAddress()));
        refuse(request, 401, "publish key required: Authorization: Bearer <key>");
        return;
      }
      String name = parts[1];
      if (!NAME.matcher(name).matches() || name.contains("..")) {
        refuse(
            request,
            400,
            "unsupported file name '" + name + "': only MPEG-TS segments (.ts) and .m3u8");
        return;
      }
      if (!upload) {
        source.deleted(name);
        request.response().setStatusCode(204).end();
        return;
      }
      receive(ctx, name);
    } catch (RuntimeException e) {
      log.warn("ingest request {} failed", request.path(), e);
      refuse(request, 400, "bad request: " + e.getMessage());
    }
  }

  private void receive(RoutingContext ctx, String name) {
    HttpServerRequest request = ctx.request();
    boolean playlist = name.endsWith(".m3u8");
    long cap = playlist ? MAX_PLAYLIST_BYTES : source.maxUploadBytes();
    RequestBody parsed = ctx.body();
    if (parsed != null && parsed.available()) {
      // A BodyHandler earlier in the router already read it.
      Buffer body = parsed.buffer();
      if (body != null && body.length() > cap) {
        refuse(request, 413, tooLarge(name, cap));
      } else {
        accept(request, name, playlist, body == null ? new byte[0] : body.getBytes());
      }
      return;
    }
    String length = request.getHeader("Content-Length");
    if (length != null && parseLength(length) > cap) {
      refuse(request, 413, tooLarge(name, cap));
      return;
    }
    Buffer body = Buffer.buffer();
    boolean[] refused = {false};
    request.handler(
        data -> {
          if (refused[0]) {
            return;
          }
          if ((long) body.length() + data.length() > cap) {
            refused[0] = true;
            refuse(request, 413, tooLarge(name, cap));
            return;
          }
          body.appendBuffer(data);
        });
    request.endHandler(
        v -> {
          if (!refused[0]) {
            accept(request, name, playlist, body.getBytes());
          }
        });
    request.exceptionHandler(
        e -> log.debug("ingest upload of {} broke off: {}", name, e.toString()));
  }

  private void accept(HttpServerRequest request, String name, boolean playlist, byte[] bytes) {
    if (source.closed()) {
      refuse(request, 503, "ingest closed");
      return;
    }
    if (playlist) {
      try {
        source.playlistUploaded(new String(bytes, StandardCharsets.UTF_8));
      } catch (PlaylistFormatException e) {
        refuse(request, 400, "not a media playlist: " + e.getMessage());
        return;
      }
    } else {
      source.segmentUploaded(name, bytes);
    }
    request.response().setStatusCode(201).end();
  }

  /** How much of a refused body is read and dropped before the connection is simply closed. */
  static final long DRAIN_LIMIT = 64L << 20;

  private static String tooLarge(String name, long cap) {
    return name + " is larger than the limit of " + cap + " bytes";
  }

  private static long parseLength(String value) {
    try {
      return Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  /**
   * Answers with an error. The client may still be streaming a body we will not keep. Over HTTP/2
   * the stream is reset. Over HTTP/1.1 the rest is read and dropped (up to {@link #DRAIN_LIMIT})
   * rather than the connection closed at once: closing with unread bytes makes the kernel send a
   * reset, which can destroy the answer before the client has read it (seen as "no response" in
   * clients, intermittently).
   */
  private void refuse(HttpServerRequest request, int status, String message) {
    HttpServerResponse response = request.response();
    if (response.ended()) {
      return;
    }
    source.refused();
    boolean bodyPending = !request.isEnded();
    boolean http2 = request.version() == HttpVersion.HTTP_2;
    response.setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8");
    if (bodyPending && !http2) {
      long[] drained = {0};
      request.handler(
          chunk -> {
            drained[0] += chunk.length();
            if (drained[0] > DRAIN_LIMIT) {
              request.connection().close(); // not a mistake but abuse: stop listening
            }
          });
      request.endHandler(v -> {});
      request.resume();
    }
    response
        .end(message + "\n")
        .onComplete(
            ar -> {
              if (bodyPending && http2) {
                response.reset();
              }
            });
  }
}
