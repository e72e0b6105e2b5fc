package dev.waterfall.relay.peer;

import dev.onvoid.webrtc.RTCStats;
import dev.onvoid.webrtc.RTCStatsType;
import java.util.Map;

/**
 * The ICE candidate types at each end of the pair that carries a link: {@code host}, {@code srflx},
 * {@code prflx} or {@code relay}. A pair with {@code relay} at either end goes through a TURN
 * server. Read from libwebrtc's stats report: the transport's selected pair, and the two candidates
 * it names.
 */
public record CandidatePair(String local, String remote) {

  /**
   * True when the link's packets go through a TURN server (our allocation, the peer's, or both).
   */
  public boolean relayed() {
    return "relay".equals(local) || "relay".equals(remote);
  }

  /**
   * The selected pair in a stats report, or null while there is none (ICE still checking, or the
   * link closed).
   */
  public static CandidatePair of(Map<String, RTCStats> stats) {
    RTCStats pair = null;
    for (RTCStats s : stats.values()) {
      if (s.getType() == RTCStatsType.TRANSPORT
          && s.getAttributes().get("selectedCandidatePairId") instanceof String id) {
        pair = stats.get(id);
        break;
      }
    }
    if (pair == null) {
      // No transport entry naming it: the nominated pair that works.
      for (RTCStats s : stats.values()) {
        var a = s.getAttributes();
        if (s.getType() == RTCStatsType.CANDIDATE_PAIR
            && Boolean.TRUE.equals(a.get("nominated"))
            && "succeeded".equals(String.valueOf(a.get("state")))) {
          pair = s;
          break;
        }
      }
    }
    if (pair == null) {
      return null;
    }
    String local = type(stats, pair.getAttributes().get("localCandidateId"));
    String remote = type(stats, pair.getAttributes().get("remoteCandidateId"));
    return local == null && remote == null ? null : new CandidatePair(local, remote);
  }

  private static String type(Map<String, RTCStats> stats, Object id) {
    RTCStats c = id instanceof String s ? stats.get(s) : null;
    Object type = c == null ? null : c.getAttributes().get("candidateType");
    return type == null ? null : type.toString();
  }

  @Override
  public String toString() {
    return local + "/" + remote;
  }
}
