package dev.waterfall.loadtest.kit.chromium;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * One reading of a page ({@link ViewerPage#PROBE}), all taken at the same instant. Boxed fields are
 * null where the page has no such thing yet (no frame, no fragment, not a P2P node).
 *
 * @param startedAtMs performance.now() at the player's first 'playing' (ms since navigation start)
 * @param firstFrameMs requestVideoFrameCallback's presentationTime of the first frame (same time
 *     base)
 * @param producedAtMillis the playing fragment's signed header (P2P pages only): producedAtMillis …
 * @param durationMillis … and durationMillis
 * @param arrivals complete segments in the page's store (P2P pages)
 * @param timeline start-up milestones, ms since navigation start
 */
public record Probe(
    long nowMillis,
    String mode,
    String phase,
    String error,
    Double startedAtMs,
    Double firstFrameMs,
    Boolean frameCallbacks,
    int stalls,
    int stallsPageBusy,
    int stallsDataLate,
    long stalledMs,
    String nodeId,
    String parentId,
    double currentTime,
    boolean paused,
    Long fragSn,
    Double fragStart,
    Integer depth,
    long bytesFromParent,
    long bytesByFallback,
    long bytesSentToChildren,
    int children,
    Long producedAtMillis,
    Integer durationMillis,
    List<Arrival> arrivals,
    Map<String, Double> timeline) {

  /**
   * A complete segment in the page's store: when the origin produced it, when its last chunk
   * arrived here.
   */
  public record Arrival(long sequence, long producedAtMillis, long completeAtMillis) {
    public long delayMillis() {
      return completeAtMillis - producedAtMillis;
    }
  }

  /**
   * How far a fragment's media may seem to overrun it before the reading is taken as stale (seek,
   * gap).
   */
  static final double SLACK_MILLIS = 250;

  @SuppressWarnings("unchecked")
  static Probe from(Map<String, Object> m) {
    Map<String, Object> first = (Map<String, Object>) m.get("firstFrame");
    Map<String, Object> frag = (Map<String, Object>) m.get("frag");
    Map<String, Object> header = (Map<String, Object>) m.get("header");
    return new Probe(
        lng(m.get("nowMillis")),
        (String) m.get("mode"),
        (String) m.get("phase"),
        (String) m.get("error"),
        dbl(m.get("startedAt")),
        first == null ? null : dbl(first.get("presentedAt")),
        (Boolean) m.get("rvfc"),
        (int) lng(m.get("stalls")),
        (int) lng(m.get("stallsPageBusy")),
        (int) lng(m.get("stallsDataLate")),
        lng(m.get("stalledMs")),
        (String) m.get("nodeId"),
        (String) m.get("parentId"),
        dbl(m.get("currentTime")),
        Boolean.TRUE.equals(m.get("paused")),
        frag == null ? null : lng(frag.get("sn")),
        frag == null ? null : dbl(frag.get("start")),
        m.get("depth") == null ? null : (int) lng(m.get("depth")),
        lng(m.get("bytesFromParent")),
        lng(m.get("bytesByFallback")),
        lng(m.get("bytesSentToChildren")),
        (int) lng(m.get("children")),
        header == null ? null : lng(header.get("producedAtMillis")),
        header == null ? null : (int) lng(header.get("durationMillis")),
        arrivals(m.get("arrivals")),
        timeline(m.get("timeline")));
  }

  /**
   * Navigation start → first presented frame; 'playing' where the browser has no frame callback.
   */
  public Double firstFrameOrPlaying() {
    return firstFrameMs != null ? firstFrameMs : startedAtMs;
  }

  /**
   * {@link #distanceBehindLive} of this reading; empty without a header or fragment, or while
   * paused.
   */
  public OptionalDouble liveDistanceMillis() {
    if (producedAtMillis == null || durationMillis == null || fragStart == null || paused) {
      return OptionalDouble.empty();
    }
    return distanceBehindLive(nowMillis, producedAtMillis, durationMillis, currentTime, fragStart);
  }

  /**
   * How long ago the media now shown was produced: now − (producedAt − duration + offset into the
   * fragment). The origin stamps producedAtMillis when the whole segment is in hand, so its first
   * frame happened one duration earlier and the frame {@code offset} into it at producedAt −
   * duration + offset. Empty when the playback position is not inside the fragment (the fragment
   * reading is stale).
   */
  public static OptionalDouble distanceBehindLive(
      long nowMillis,
      long producedAtMillis,
      int durationMillis,
      double currentTimeSeconds,
      double fragStartSeconds) {
    double offset = (currentTimeSeconds - fragStartSeconds) * 1000;
    if (offset < -SLACK_MILLIS || offset > durationMillis + SLACK_MILLIS) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(nowMillis - (producedAtMillis - durationMillis + offset));
  }

  /**
   * Start-up milestones, ms since navigation start (see ViewerPage's init script), in page order.
   */
  private static Map<String, Double> timeline(Object o) {
    Map<String, Double> out = new java.util.LinkedHashMap<>();
    if (o instanceof Map<?, ?> m) {
      m.forEach((k, v) -> out.put((String) k, dbl(v)));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static List<Arrival> arrivals(Object o) {
    List<Arrival> out = new ArrayList<>();
    if (o instanceof List<?> rows) {
      for (Object row : rows) {
        List<Object> r = (List<Object>) row;
        out.add(new Arrival(lng(r.get(0)), lng(r.get(1)), lng(r.get(2))));
      }
    }
    return out;
  }

  private static long lng(Object o) {
    return o == null ? 0 : ((Number) o).longValue();
  }

  private static Double dbl(Object o) {
    return o == null ? null : ((Number) o).doubleValue();
  }
}
