package dev.waterfall.relay.source;

/** Text that is not an HLS media playlist; the message names the line and what is wrong with it. */
public final class PlaylistFormatException extends IllegalArgumentException {

  public PlaylistFormatException(String message) {
    super(message);
  }
}
