package dev.waterfall.relay.rtmp;

/** A publisher broke the RTMP protocol (or our limits): its connection is closed. */
final class RtmpException extends Exception {
  RtmpException(String message) {
    super(message);
  }
}
