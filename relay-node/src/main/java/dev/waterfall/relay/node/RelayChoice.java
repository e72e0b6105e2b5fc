package dev.waterfall.relay.node;

import dev.waterfall.relay.realtime.TrackRelay;
import java.util.function.Supplier;

/**
 * Which {@link StreamRelay} a node runs: the HLS one made up front when the node has a store, the
 * track relay (a WHIP root's from the start, a booster's once a welcome names a realtime stream),
 * and the one the first welcome chose, fixed from then on. On the node's context.
 */
final class RelayChoice {
  private final boolean origin;
  private final String stream;
  private final StreamRelay hls;
  private final Supplier<TrackRelay> newTracks;
  private TrackRelay tracks;
  private StreamRelay chosen;

  /** {@code hls}: null for a node without a store; {@code newTracks} makes the track relay. */
  RelayChoice(boolean origin, String stream, StreamRelay hls, Supplier<TrackRelay> newTracks) {
    this.origin = origin;
    this.stream = stream;
    this.hls = hls;
    this.newTracks = newTracks;
  }

  /** The relay in charge: the one the welcome chose, else the one made up front (or null). */
  StreamRelay current() {
    return chosen != null ? chosen : tracks != null ? tracks : hls;
  }

  /** The track relay, null until one is made. */
  TrackRelay tracks() {
    return tracks;
  }

  /** The track relay, made now if there is none yet (a WHIP root's, before its welcome). */
  TrackRelay tracksNow() {
    if (tracks == null) {
      tracks = newTracks.get();
    }
    return tracks;
  }

  /**
   * At a welcome: the relay for the stream's type, chosen at the first welcome (fixed for an
   * origin, by the welcome for a booster) and the same at every later one. Throws
   * IllegalStateException when this node cannot relay the stream.
   */
  StreamRelay atWelcome(boolean realtime) {
    if (chosen == null) {
      chosen = choose(realtime);
    }
    return chosen;
  }

  private StreamRelay choose(boolean realtime) {
    if (origin && tracks != null && !realtime) {
      throw new IllegalStateException(
          "'"
              + stream
              + "' is not a realtime stream: WHIP feeds"
              + " only a stream created with \"type\":\"realtime\"");
    }
    if (tracks != null || !origin && realtime) {
      return tracksNow();
    }
    if (hls == null) {
      throw new IllegalStateException(
          "'" + stream + "' is not a realtime stream, and this node has no store");
    }
    return hls;
  }
}
