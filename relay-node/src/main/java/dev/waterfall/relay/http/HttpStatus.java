package dev.waterfall.relay.http;

/** A fallback answered with a status other than 200 / 206: that URL failed, try the next. */
final class HttpStatus extends RuntimeException {

  final int code;

  HttpStatus(int code, String url) {
    super("HTTP " + code + " from " + url, null, false, false);
    this.code = code;
  }
}
