package dev.waterfall.relay.cli;

import dev.waterfall.protocol.Message;

/**
 * What the operator reads when the coordinator refused a running origin or booster for good, and
 * the exit status: 78 (EX_CONFIG, as a coordinator's bad configuration), since what the process was
 * started with (the key, the token, the stream) no longer holds, and starting it again unchanged
 * would be refused again; the booster's systemd unit does not restart on it.
 */
final class Refusal {
  static final int EXIT_STATUS = 78;

  private Refusal() {}

  static String explain(String stream, Message.Error e) {
    String why = e.message() + " (" + e.code() + ")";
    return switch (e.code()) {
      case "key-rotated" ->
          "waterfall: publishing of '"
              + stream
              + "' stopped: the coordinator disconnected this origin because the stream's publish"
              + " key was rotated ("
              + e.code()
              + "). Start it again with the new key (--key or WATERFALL_PUBLISH_KEY; the dashboard"
              + " showed it once, at the rotation), and give your encoder the new key too.";
      case "stream-deleted" ->
          "waterfall: stopped: the stream '" + stream + "' was deleted on the coordinator: " + why;
      case "bad-credential" ->
          "waterfall: stopped: the coordinator no longer accepts this node's key or token: " + why;
      default -> "waterfall: stopped: the coordinator refused this node: " + why;
    };
  }
}
