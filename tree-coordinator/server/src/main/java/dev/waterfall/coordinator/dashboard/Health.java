package dev.waterfall.coordinator.dashboard;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A node's colour on the dashboard. Red: reported (starving, sent bad data, too slow a child) in
 * the last 30 s; amber: under {@link #LOW_BUFFER_S} of buffer, or under {@link #POOR_P2P} of its
 * bytes from its parent since its previous heartbeat, or a realtime node receiving no video ({@code
 * fps} 0); green otherwise; grey: no stats yet. The stats are what the node says of itself.
 */
public final class Health {
  static final double LOW_BUFFER_S = 2.0;
  static final double POOR_P2P = 0.8;

  private Health() {}

  /** {@code [colour, reason]} of a node that sent stats; the reason is null when green. */
  static String[] of(LocalNode n) {
    if (n.stats() == null) {
      return new String[] {"grey", "no stats yet"};
    }
    if (n.root()) {
      return new String[] {"green", null};
    }
    JsonNode buffer = n.stats().get("bufferSeconds");
    if (buffer != null && buffer.isNumber() && buffer.doubleValue() < LOW_BUFFER_S) {
      return new String[] {"amber", "low-buffer"};
    }
    JsonNode fps = n.stats().get("fps");
    if (fps != null && fps.isNumber() && fps.doubleValue() == 0) {
      return new String[] {"amber", "no-video"}; // a realtime node whose parent's video stopped
    }
    Double share = recentP2pShare(n);
    if (share != null && share < POOR_P2P) {
      return new String[] {"amber", "poor-p2p"};
    }
    return new String[] {"green", null};
  }

  /**
   * Share of the bytes received since the previous heartbeat that came from the parent; null if
   * none came.
   */
  static Double recentP2pShare(LocalNode n) {
    long from = bytes(n.stats(), "bytesFromParent") - bytes(n.previous(), "bytesFromParent");
    long fallback = bytes(n.stats(), "bytesByFallback") - bytes(n.previous(), "bytesByFallback");
    if (from < 0 || fallback < 0 || from + fallback == 0) {
      return null; // counters went back (a restarted node) or nothing arrived
    }
    return (double) from / (from + fallback);
  }

  /** A byte counter from free-form stats: absent, negative or not a number counts as 0. */
  static long bytes(JsonNode stats, String field) {
    JsonNode v = stats == null ? null : stats.get(field);
    return v != null && v.isNumber() && v.longValue() > 0 ? v.longValue() : 0;
  }
}
