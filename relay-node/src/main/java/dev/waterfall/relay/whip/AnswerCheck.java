package dev.waterfall.relay.whip;

/**
 * What our SDP answer says about the publisher's offer: whether it sends us video we can decode.
 * libwebrtc answers an offer it cannot use with a rejected section (port 0) or a direction that
 * receives nothing, rather than failing; a WHIP client must hear about that instead of publishing
 * into the void.
 */
final class AnswerCheck {
  private AnswerCheck() {}

  /** Null when the answer receives video, else why not (for the 400 body). */
  static String videoProblem(String answerSdp) {
    boolean video = false;
    boolean rejected = false;
    String direction = "sendrecv";
    for (String line : answerSdp.split("\r?\n")) {
      if (line.startsWith("m=")) {
        if (video) {
          break; // the first video section decides; the root forwards one video track
        }
        video = line.startsWith("m=video ");
        rejected = video && line.startsWith("m=video 0 ");
      } else if (video
          && (line.equals("a=recvonly")
              || line.equals("a=sendonly")
              || line.equals("a=inactive")
              || line.equals("a=sendrecv"))) {
        direction = line.substring(2);
      }
    }
    if (!video) {
      return "the offer has no video section: WHIP here needs one video track (H.264 or VP8)";
    }
    if (rejected) {
      return "no video codec in common: send H.264 (constrained baseline, packetization-mode 1) or VP8";
    }
    if (!direction.equals("recvonly") && !direction.equals("sendrecv")) {
      return "the offer's video does not send (answer " + direction + "): a WHIP offer is sendonly";
    }
    return null;
  }
}
