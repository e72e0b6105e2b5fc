package dev.waterfall.relay.whip;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AnswerCheckTest {
  private static final String AUDIO =
      "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=recvonly\r\n";

  @Test
  void anAnswerThatReceivesVideoIsFine() {
    String sdp = "v=0\r\n" + AUDIO + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\na=recvonly\r\n";
    assertThat(AnswerCheck.videoProblem(sdp)).isNull();
  }

  @Test
  void saysWhyWhenTheVideoCannotBeReceived() {
    assertThat(AnswerCheck.videoProblem("v=0\r\n" + AUDIO)).contains("no video section");
    assertThat(AnswerCheck.videoProblem("v=0\r\nm=video 0 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\n"))
        .contains("no video codec in common");
    assertThat(
            AnswerCheck.videoProblem(
                "v=0\n" + "m=video 9 UDP/TLS/RTP/SAVPF 96\na=inactive\n" + AUDIO))
        .contains("does not send");
  }
}
