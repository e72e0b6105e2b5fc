package dev.waterfall.relay.peer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.onvoid.webrtc.RTCStats;
import dev.onvoid.webrtc.RTCStatsType;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the candidate pair carrying a link, from libwebrtc's stats report")
class CandidatePairTest {

  @Test
  void theTransportsSelectedPairNamesBothCandidatesTypes() {
    Map<String, RTCStats> report =
        report(
            stats(RTCStatsType.TRANSPORT, "T01", Map.of("selectedCandidatePairId", "CPb")),
            stats(
                RTCStatsType.CANDIDATE_PAIR,
                "CPa",
                Map.of(
                    "localCandidateId",
                    "Lh",
                    "remoteCandidateId",
                    "Rh",
                    "nominated",
                    true,
                    "state",
                    "succeeded")),
            stats(
                RTCStatsType.CANDIDATE_PAIR,
                "CPb",
                Map.of("localCandidateId", "Lr", "remoteCandidateId", "Rh")),
            stats(RTCStatsType.LOCAL_CANDIDATE, "Lh", Map.of("candidateType", "host")),
            stats(RTCStatsType.LOCAL_CANDIDATE, "Lr", Map.of("candidateType", "relay")),
            stats(RTCStatsType.REMOTE_CANDIDATE, "Rh", Map.of("candidateType", "host")));
    CandidatePair pair = CandidatePair.of(report);
    assertThat(pair).isEqualTo(new CandidatePair("relay", "host"));
    assertThat(pair.relayed()).isTrue();
    assertThat(pair).hasToString("relay/host");
  }

  @Test
  void withoutATransportEntryTheNominatedSucceededPairCounts() {
    Map<String, RTCStats> report =
        report(
            stats(
                RTCStatsType.CANDIDATE_PAIR,
                "CP1",
                Map.of(
                    "localCandidateId",
                    "L",
                    "remoteCandidateId",
                    "R",
                    "nominated",
                    false,
                    "state",
                    "succeeded")),
            stats(
                RTCStatsType.CANDIDATE_PAIR,
                "CP2",
                Map.of(
                    "localCandidateId",
                    "L",
                    "remoteCandidateId",
                    "R2",
                    "nominated",
                    true,
                    "state",
                    "succeeded")),
            stats(RTCStatsType.LOCAL_CANDIDATE, "L", Map.of("candidateType", "srflx")),
            stats(RTCStatsType.REMOTE_CANDIDATE, "R", Map.of("candidateType", "relay")),
            stats(RTCStatsType.REMOTE_CANDIDATE, "R2", Map.of("candidateType", "prflx")));
    CandidatePair pair = CandidatePair.of(report);
    assertThat(pair).isEqualTo(new CandidatePair("srflx", "prflx"));
    assertThat(pair.relayed()).isFalse();
  }

  @Test
  void noSelectedPairYetIsNull() {
    assertThat(CandidatePair.of(report())).isNull();
    assertThat(
            CandidatePair.of(
                report(
                    stats(
                        RTCStatsType.CANDIDATE_PAIR,
                        "CP",
                        Map.of(
                            "localCandidateId",
                            "L",
                            "remoteCandidateId",
                            "R",
                            "nominated",
                            true,
                            "state",
                            "in-progress")))))
        .isNull();
    assertThat(
            CandidatePair.of(
                report(
                    stats(RTCStatsType.TRANSPORT, "T", Map.of()),
                    stats(RTCStatsType.LOCAL_CANDIDATE, "L", Map.of("candidateType", "host")))))
        .isNull();
  }

  private static RTCStats stats(RTCStatsType type, String id, Map<String, Object> attributes) {
    return new RTCStats(0L, type, id, attributes) {};
  }

  private static Map<String, RTCStats> report(RTCStats... all) {
    Map<String, RTCStats> m = new HashMap<>();
    for (RTCStats s : all) {
      m.put(s.getId(), s);
    }
    return m;
  }
}
