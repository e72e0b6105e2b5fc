package dev.waterfall.relay.realtime;

import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCRtpSendParameters;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCRtpTransceiverDirection;
import dev.onvoid.webrtc.media.MediaStreamTrack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a child edge's senders carry: their directions in the answer, the tracks on them, and the
 * video's bitrate cap. Called on the node's context.
 */
final class ChildSenders {
  private static final Logger LOG = LoggerFactory.getLogger(TrackEdge.class);

  private ChildSenders() {}

  /**
   * Video sendonly, audio inactive: a booster sends its audio as chunks on the child's rt-audio
   * channel (TrackRelay), and a sending audio stream would carry the headless audio module's
   * silence, encoded once per child.
   */
  static void answerDirections(RTCPeerConnection pc) {
    for (RTCRtpTransceiver t : pc.getTransceivers()) {
      t.setDirection(
          isVideo(t) ? RTCRtpTransceiverDirection.SEND_ONLY : RTCRtpTransceiverDirection.INACTIVE);
    }
  }

  /** These tracks on the senders (either may be null); no renegotiation. */
  static void replace(RTCPeerConnection pc, MediaStreamTrack video, MediaStreamTrack audio) {
    for (RTCRtpTransceiver t : pc.getTransceivers()) {
      t.getSender().replaceTrack(isVideo(t) ? video : audio);
    }
  }

  /** Caps the video this child costs our uplink at the stream's bitrate, as the pages do. */
  static void capVideo(RTCPeerConnection pc, int kbps, String peerId) {
    for (RTCRtpTransceiver t : pc.getTransceivers()) {
      if (!isVideo(t)) {
        continue;
      }
      try {
        RTCRtpSendParameters p = t.getSender().getParameters();
        if (p.encodings != null && !p.encodings.isEmpty()) {
          p.encodings.get(0).maxBitrate = kbps * 1000;
          t.getSender().setParameters(p);
        }
      } catch (RuntimeException e) {
        LOG.debug("cannot cap the video to {}: {}", peerId, e.getMessage());
      }
    }
  }

  private static boolean isVideo(RTCRtpTransceiver t) {
    return MediaStreamTrack.VIDEO_TRACK_KIND.equals(t.getReceiver().getTrack().getKind());
  }
}
