package dev.waterfall.relay.realtime;

import dev.onvoid.webrtc.RTCStats;
import dev.onvoid.webrtc.RTCStatsReport;
import dev.onvoid.webrtc.RTCStatsType;

/**
 * One edge's RTP counters from libwebrtc's stats report: bytes of every kind and video frames,
 * received from a parent (inbound-rtp: frames decoded) or sent to a child (outbound-rtp: frames
 * encoded, one encode per child).
 */
record RtpCounters(long bytes, long videoFrames) {
  static final RtpCounters NONE = new RtpCounters(0, 0);

  static RtpCounters of(RTCStatsReport report, boolean inbound) {
    RTCStatsType type = inbound ? RTCStatsType.INBOUND_RTP : RTCStatsType.OUTBOUND_RTP;
    long bytes = 0;
    long frames = 0;
    for (RTCStats s : report.getStats().values()) {
      if (s.getType() != type) {
        continue;
      }
      var a = s.getAttributes();
      bytes += number(a.get(inbound ? "bytesReceived" : "bytesSent"));
      if ("video".equals(a.get("kind"))) {
        frames += number(a.get(inbound ? "framesDecoded" : "framesEncoded"));
      }
    }
    return new RtpCounters(bytes, frames);
  }

  private static long number(Object o) {
    return o instanceof Number n ? n.longValue() : 0;
  }
}
