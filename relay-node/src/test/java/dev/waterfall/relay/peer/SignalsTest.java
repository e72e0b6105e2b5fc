package dev.waterfall.relay.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The signal JSON helpers: pure Java, no libwebrtc loaded (runs under surefire, outside the
 * namespace).
 */
class SignalsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String s) {
    try {
      return JSON.readTree(s);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void parsesOfferAndAnswer() {
    Signals.Signal offer =
        Signals.parse(
            json("{\"type\":\"offer\",\"sdp\":\"v=0\\r\\no=- 1 2 IN IP4 0.0.0.0\\r\\n\"}"));
    assertThat(offer)
        .isEqualTo(new Signals.Description("offer", "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\n"));
    assertThat(((Signals.Description) offer).isOffer()).isTrue();

    Signals.Signal answer = Signals.parse(json("{\"type\":\"answer\",\"sdp\":\"v=0\\r\\n\"}"));
    assertThat(((Signals.Description) answer).isOffer()).isFalse();
  }

  @Test
  void parsesBrowserCandidateJson() {
    // RTCIceCandidate.toJSON() in Chromium, usernameFragment included (ignored).
    Signals.Signal c =
        Signals.parse(
            json(
                "{\"candidate\":\"candidate:842163049 1 udp 1677729535 10.77.0.1 "
                    + "52613 typ host generation 0\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0,\"usernameFragment\":\"abcd\"}"));
    assertThat(c)
        .isEqualTo(
            new Signals.Candidate(
                "candidate:842163049 1 udp 1677729535 10.77.0.1 52613 typ host generation 0",
                "0",
                0));
  }

  @Test
  void candidateWithOnlyMidOrOnlyIndex() {
    assertThat(
            Signals.parse(
                json(
                    "{\"candidate\":\"candidate:1 1 udp 1 1.2.3.4 5 typ host\",\"sdpMid\":\"0\"}")))
        .isEqualTo(new Signals.Candidate("candidate:1 1 udp 1 1.2.3.4 5 typ host", "0", -1));
    assertThat(
            Signals.parse(
                json(
                    "{\"candidate\":\"candidate:1 1 udp 1 1.2.3.4 5 typ host\",\"sdpMid\":null,\"sdpMLineIndex\":0}")))
        .isEqualTo(new Signals.Candidate("candidate:1 1 udp 1 1.2.3.4 5 typ host", "", 0));
  }

  @Test
  void emptyCandidateIsEndOfCandidates() {
    Signals.Signal c =
        Signals.parse(json("{\"candidate\":\"\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0}"));
    assertThat(((Signals.Candidate) c).isEndOfCandidates()).isTrue();
  }

  @Test
  void roundTrips() {
    Signals.Description d = new Signals.Description("answer", "v=0\r\na=x\r\n");
    assertThat(Signals.parse(Signals.toJson(d))).isEqualTo(d);
    Signals.Candidate c = new Signals.Candidate("candidate:1 1 udp 1 10.77.0.1 9 typ host", "0", 0);
    assertThat(Signals.parse(Signals.toJson(c))).isEqualTo(c);
    assertThat(Signals.toJson(c).toString())
        .isEqualTo(
            "{\"candidate\":\"candidate:1 1 udp 1 10.77.0.1 9 typ host\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0}");
    Signals.Candidate midOnly =
        new Signals.Candidate("candidate:1 1 udp 1 10.77.0.1 9 typ host", "0", -1);
    assertThat(Signals.parse(Signals.toJson(midOnly))).isEqualTo(midOnly);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "null                                                       | missing",
        "[]                                                         | must be a JSON object",
        "\"offer\"                                                  | must be a JSON object",
        "{}                                                         | 'type' (offer or answer) or 'candidate'",
        "{\"sdp\":\"v=0\"}                                          | 'type' (offer or answer) or 'candidate'",
        "{\"type\":\"offer\"}                                       | needs 'sdp'",
        "{\"type\":\"offer\",\"sdp\":null}                          | needs 'sdp'",
        "{\"type\":\"offer\",\"sdp\":42}                            | 'sdp' must be a string",
        "{\"type\":\"offer\",\"sdp\":\"hello\"}                     | must start with \"v=0\"",
        "{\"type\":\"pranswer\",\"sdp\":\"v=0\"}                    | must be \"offer\" or \"answer\"",
        "{\"type\":\"rollback\"}                                    | must be \"offer\" or \"answer\"",
        "{\"type\":1,\"sdp\":\"v=0\"}                               | 'type' must be a string",
        "{\"type\":{\"a\":1},\"sdp\":\"v=0\"}                       | 'type' must be a string",
        "{\"candidate\":null}                                       | 'candidate' must be a string",
        "{\"candidate\":7,\"sdpMid\":\"0\"}                         | 'candidate' must be a string",
        "{\"candidate\":\"typ host\",\"sdpMid\":\"0\"}              | must start with \"candidate:\"",
        "{\"candidate\":\"candidate:1\"}                            | needs 'sdpMid' or 'sdpMLineIndex'",
        "{\"candidate\":\"candidate:1\",\"sdpMid\":0}               | 'sdpMid' must be a string",
        "{\"candidate\":\"candidate:1\",\"sdpMLineIndex\":\"0\"}    | 'sdpMLineIndex' must be a non-negative integer",
        "{\"candidate\":\"candidate:1\",\"sdpMLineIndex\":-1}       | 'sdpMLineIndex' must be a non-negative integer",
        "{\"candidate\":\"candidate:1\",\"sdpMLineIndex\":1.5}      | 'sdpMLineIndex' must be a non-negative integer",
        "{\"candidate\":\"candidate:1\",\"sdpMLineIndex\":9999999999} | 'sdpMLineIndex' must be a non-negative integer",
      })
  void rejectsMalformed(String input, String message) {
    assertThatThrownBy(() -> Signals.parse(json(input)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void rejectsJavaNullAndOversized() {
    assertThatThrownBy(() -> Signals.parse(null)).isInstanceOf(IllegalArgumentException.class);
    String big = "v=0" + "x".repeat(Signals.MAX_SDP_CHARS);
    assertThatThrownBy(() -> Signals.parse(Signals.toJson(new Signals.Description("offer", big))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too long");
    String bigCandidate = "candidate:" + "1".repeat(Signals.MAX_CANDIDATE_CHARS);
    assertThatThrownBy(
            () -> Signals.parse(Signals.toJson(new Signals.Candidate(bigCandidate, "0", 0))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too long");
  }
}
