package dev.waterfall.relay.peer;

import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceServer;
import dev.onvoid.webrtc.RTCIceTransportPolicy;
import dev.waterfall.protocol.Message;
import java.util.ArrayList;
import java.util.List;

/**
 * A peer connection's ICE configuration from the coordinator's ICE servers (welcome or
 * ice-servers): STUN as is, TURN with its time-limited username and credential. For DataChannel
 * links and realtime media edges alike.
 */
public final class IceConfiguration {
  private IceConfiguration() {}

  /**
   * {@code relayOnly}: ICE transport policy "relay" (see {@link
   * PeerFactory.Settings#withRelayOnly()}).
   */
  public static RTCConfiguration of(List<Message.IceServer> servers, boolean relayOnly) {
    RTCConfiguration config = new RTCConfiguration();
    config.iceServers = toNative(servers == null ? List.of() : servers);
    if (relayOnly) {
      config.iceTransportPolicy = RTCIceTransportPolicy.RELAY;
    }
    return config;
  }

  private static List<RTCIceServer> toNative(List<Message.IceServer> servers) {
    List<RTCIceServer> out = new ArrayList<>();
    for (Message.IceServer s : servers) {
      if (s == null || s.urls() == null || s.urls().isEmpty()) {
        continue;
      }
      RTCIceServer n = new RTCIceServer();
      n.urls = List.copyOf(s.urls());
      n.username = s.username();
      n.password = s.credential(); // webrtc-java's name for the browser's "credential"
      out.add(n);
    }
    return out;
  }
}
