package dev.waterfall.protocol.http;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * CORS for public, credential-free resources: any page may read the stream (players on other
 * origins, and browsers healing segments from a booster) and a coordinator's public stream info and
 * player scripts (sites embedding the player), so every answer allows every origin. Written out
 * rather than using vertx-web's CorsHandler so the exact headers, and the preflight answer, are
 * plain to see and test.
 */
public final class Cors {

  /**
   * What a player reads from a response besides the simple headers: needed for Range-based healing.
   */
  public static final String EXPOSED = "Content-Length, Content-Range, Accept-Ranges";

  public static final String METHODS = "GET, HEAD, OPTIONS";
  public static final String DEFAULT_ALLOWED_HEADERS = "Range";

  private Cors() {}

  /** Headers every answer carries, errors included, so a browser can show why a request failed. */
  public static void allow(HttpServerResponse response) {
    response.putHeader("Access-Control-Allow-Origin", "*");
    response.putHeader("Access-Control-Expose-Headers", EXPOSED);
  }

  /**
   * Answers a preflight with 204: these methods, the headers the browser asks about, cached for a
   * day.
   */
  public static void preflight(HttpServerRequest request) {
    HttpServerResponse response = request.response();
    allow(response);
    String asked = request.getHeader("Access-Control-Request-Headers");
    // Nothing here is private (no credentials are ever honoured), so whatever headers a page wants
    // are fine.
    response.putHeader(
        "Access-Control-Allow-Headers",
        asked == null || asked.isBlank() ? DEFAULT_ALLOWED_HEADERS : asked);
    response.putHeader("Access-Control-Allow-Methods", METHODS);
    response.putHeader("Access-Control-Max-Age", "86400");
    response.putHeader("Vary", "Access-Control-Request-Headers");
    response.setStatusCode(204).end();
  }
}
