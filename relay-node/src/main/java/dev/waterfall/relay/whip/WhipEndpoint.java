package dev.waterfall.relay.whip;

import dev.onvoid.webrtc.media.MediaStreamTrack;
import dev.waterfall.relay.key.PublishKey;
import dev.waterfall.relay.peer.PeerFactory;
import dev.waterfall.relay.realtime.TrackRelay;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WHIP ingest (RFC 9725) for a realtime stream's origin, so OBS 30+ can publish to it:
 *
 * <ul>
 *   <li>{@code POST /whip/<stream>} with {@code Authorization: Bearer <publish key>} and an {@code
 *       application/sdp} offer: {@code 201 Created}, the complete answer (no trickle) and {@code
 *       Location: /whip/<stream>/<session>}. Wrong or missing key: 401 and nothing changes; another
 *       content type: 415; an offer over {@value #MAX_OFFER_BYTES} bytes: 413; one we cannot use:
 *       400 with the reason.
 *   <li>A new session <b>replaces</b> the live one rather than being refused (409): OBS reconnects
 *       with a fresh POST when its network drops and cannot DELETE a session it lost, so a refusal
 *       would lock the publisher out until ICE gave up. The replacement is make-before-break: the
 *       old session keeps feeding the tree until the new one's first frame, then closes.
 *   <li>{@code DELETE <Location>}: 200, the session ends and the tree's root has no video until the
 *       next POST (pages keep their places, as when the /publish page stops). {@code PATCH}
 *       (trickle ICE, ICE restart): 405, as RFC 9725 §4.3.1 allows. {@code OPTIONS}: 204 with
 *       {@code Accept-Post: application/sdp} and CORS, so a browser page on another origin can
 *       publish too.
 * </ul>
 *
 * State lives on the node's context.
 */
public final class WhipEndpoint implements WhipSession.Events, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WhipEndpoint.class);
  public static final String PREFIX = "/whip/";

  /** A browser's or OBS's offer is 3–10 KB; anything far larger is not an offer. */
  static final int MAX_OFFER_BYTES = 64 * 1024;

  private static final SecureRandom RANDOM = new SecureRandom();

  private final String stream;
  private final PublishKey key;
  private final PeerFactory peers;
  private final TrackRelay root;
  private final Context context;
  private final Map<String, WhipSession> sessions = new LinkedHashMap<>();

  /** The session whose video the tree gets (null: none). */
  private volatile WhipSession feeding;

  /** The newest session answered: it replaces {@link #feeding} at its first frame. */
  private WhipSession newest;

  public WhipEndpoint(
      String stream, PublishKey key, PeerFactory peers, TrackRelay root, Context context) {
    this.stream = stream;
    this.key = key;
    this.peers = peers;
    this.root = root;
    this.context = context;
  }

  public void mount(Router router) {
    router.route(PREFIX + "*").handler(this::handle);
  }

  private void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    HttpServerResponse response = request.response();
    // Browsers may publish from another origin (RFC 9725 §4.8): let them read Location and the
    // answer.
    response
        .putHeader("Access-Control-Allow-Origin", "*")
        .putHeader("Access-Control-Expose-Headers", "Location, Accept-Post");
    String[] parts = ctx.normalizedPath().substring(PREFIX.length()).split("/", -1);
    if (parts.length < 1 || parts.length > 2 || !parts[0].equals(stream)) {
      refuse(
          response,
          404,
          "no WHIP endpoint here; this origin takes stream '" + stream + "' at " + PREFIX + stream);
      return;
    }
    HttpMethod method = request.method();
    if (HttpMethod.OPTIONS.equals(method)) {
      response
          .setStatusCode(204)
          .putHeader("Accept-Post", "application/sdp")
          .putHeader("Access-Control-Allow-Methods", "POST, DELETE, OPTIONS")
          .putHeader("Access-Control-Allow-Headers", "Authorization, Content-Type")
          .putHeader("Access-Control-Max-Age", "600")
          .end();
      return;
    }
    boolean resource = parts.length == 2;
    if (resource ? !HttpMethod.DELETE.equals(method) : !HttpMethod.POST.equals(method)) {
      // PATCH lands here too: trickle ICE and ICE restarts are not supported (RFC 9725 §4.3.1 lets
      // us say 405).
      response.putHeader("Allow", resource ? "DELETE, OPTIONS" : "POST, OPTIONS");
      refuse(
          response,
          405,
          resource
              ? "a WHIP session takes DELETE only (no trickle ICE: the answer holds every"
                  + " candidate)"
              : "POST an SDP offer");
      return;
    }
    if (!key.matches(BearerToken.parse(request.getHeader("Authorization")))) {
      response.putHeader("WWW-Authenticate", "Bearer realm=\"waterfall-whip\"");
      LOG.warn("WHIP {} for '{}': wrong or missing publish key", method, stream);
      refuse(response, 401, "publish key required: Authorization: Bearer <publish key>");
      return;
    }
    if (resource) {
      String id = parts[1];
      context.runOnContext(v -> delete(id, response));
      return;
    }
    String type = request.getHeader("Content-Type");
    if (type == null || !type.split(";")[0].strip().equalsIgnoreCase("application/sdp")) {
      refuse(response, 415, "the offer must be Content-Type: application/sdp");
      return;
    }
    readOffer(request, response);
  }

  private void readOffer(HttpServerRequest request, HttpServerResponse response) {
    String length = request.getHeader("Content-Length");
    if (length != null && parseLength(length) > MAX_OFFER_BYTES) {
      refuse(response, 413, "an offer is at most " + MAX_OFFER_BYTES + " bytes");
      return;
    }
    Buffer body = Buffer.buffer();
    boolean[] refused = {false};
    request.handler(
        data -> {
          if (!refused[0] && body.length() + data.length() > MAX_OFFER_BYTES) {
            refused[0] = true;
            refuse(response, 413, "an offer is at most " + MAX_OFFER_BYTES + " bytes");
          } else if (!refused[0]) {
            body.appendBuffer(data);
          }
        });
    request.endHandler(
        v -> {
          if (!refused[0]) {
            String offer = body.toString(StandardCharsets.UTF_8);
            context.runOnContext(x -> offer(offer, response));
          }
        });
  }

  private static long parseLength(String s) {
    try {
      return Long.parseLong(s.strip());
    } catch (NumberFormatException e) {
      return 0; // the body is counted as it comes
    }
  }

  /** On the context: a new session from {@code offer}. */
  private void offer(String offer, HttpServerResponse response) {
    if (!offer.startsWith("v=0")) {
      refuse(response, 400, "not an SDP offer (it must start with v=0)");
      return;
    }
    String id = newId();
    long started = System.nanoTime();
    // a refused offer made a connection too (what --recycle-after-links counts)
    peers.madeMediaEdge();
    WhipSession.answer(
            id,
            offer,
            peers.mediaFactory(),
            root.iceConfiguration(),
            context,
            peers.teardown(),
            this)
        .onSuccess(
            s -> {
              sessions.put(id, s);
              if (newest != null && newest != feeding) {
                // never fed the tree: nothing to hand over
                end(newest, "replaced before it sent video");
              }
              newest = s;
              LOG.info(
                  "WHIP session {} for '{}' answered in {} ms{}",
                  id,
                  stream,
                  (System.nanoTime() - started) / 1_000_000,
                  feeding != null
                      ? "; it replaces session " + feeding.id + " at its first frame"
                      : "");
              response
                  .setStatusCode(201)
                  .putHeader("Content-Type", "application/sdp")
                  .putHeader("Location", PREFIX + stream + "/" + id)
                  .end(s.answerSdp());
            })
        .onFailure(
            e -> {
              String why =
                  e instanceof WhipSession.BadOffer ? e.getMessage() : "the offer failed: " + e;
              LOG.info("WHIP offer for '{}' refused: {}", stream, why);
              refuse(response, e instanceof WhipSession.BadOffer ? 400 : 500, why);
            });
  }

  private void delete(String id, HttpServerResponse response) {
    WhipSession s = sessions.get(id);
    if (s == null) {
      refuse(response, 404, "no WHIP session " + id + " (ended or replaced)");
      return;
    }
    end(s, "deleted by the publisher");
    response.setStatusCode(200).end();
  }

  @Override
  public void video(WhipSession session, MediaStreamTrack track) {
    if (session != newest) {
      return; // replaced before its first frame: it is closing
    }
    WhipSession old = feeding;
    feeding = session;
    root.publish(track);
    if (old != null && old != session) {
      end(old, "replaced by session " + session.id);
    }
  }

  @Override
  public void audio(WhipSession session, byte[] chunk) {
    if (session == feeding) {
      root.publishAudio(chunk);
    }
  }

  @Override
  public void ended(WhipSession session, String why) {
    end(session, why);
  }

  /** On the context: the session goes; the tree loses its video if it was the one feeding it. */
  private void end(WhipSession s, String why) {
    if (sessions.remove(s.id) == null) {
      return;
    }
    if (s == feeding) {
      feeding = null;
      root.publish(null); // before the connection closes: no child sender may hold its track then
    }
    if (s == newest) {
      newest = null;
    }
    s.close();
    LOG.info(
        "WHIP session {} for '{}' ended: {} ({} frames, {} audio chunks)",
        s.id,
        stream,
        why,
        s.frames,
        s.audioChunks());
  }

  /** The session feeding the tree now (null: none). */
  public String feedingSession() {
    return feeding == null ? null : feeding.id;
  }

  /** Every session still open, on the context. */
  @Override
  public void close() {
    context.runOnContext(
        v -> {
          for (WhipSession s : sessions.values().toArray(new WhipSession[0])) {
            end(s, "the origin stops");
          }
        });
  }

  private static String newId() {
    byte[] b = new byte[12];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static void refuse(HttpServerResponse response, int status, String message) {
    if (!response.ended()) {
      response
          .setStatusCode(status)
          .putHeader("Content-Type", "text/plain; charset=utf-8")
          .end(message + "\n");
    }
  }
}
