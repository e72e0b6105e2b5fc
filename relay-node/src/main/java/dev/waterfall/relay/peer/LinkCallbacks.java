package dev.waterfall.relay.peer;

import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCDataChannel;
import dev.onvoid.webrtc.RTCDataChannelBuffer;
import dev.onvoid.webrtc.RTCDataChannelObserver;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one object handed to native code as both observers of a {@link PeerLink}. It only forwards to
 * the link; after teardown it holds nothing, so the JNI global references webrtc-java 0.14.0 never
 * frees (a registered channel observer) pin a few bytes rather than a link and its listener. All
 * these methods are called on libwebrtc's signalling thread (one per factory, measured), never
 * concurrently.
 */
final class LinkCallbacks implements PeerConnectionObserver, RTCDataChannelObserver {

  private static final Logger log = LoggerFactory.getLogger(LinkCallbacks.class);

  volatile PeerLink link;

  LinkCallbacks(PeerLink link) {
    this.link = link;
  }

  private void with(Consumer<PeerLink> action) {
    PeerLink l = link;
    if (l == null) {
      return;
    }
    try {
      action.accept(l);
    } catch (RuntimeException | Error e) {
      NativeErrors.rethrowIfFatal(e);
      log.warn("PeerLink native callback failed", e);
    }
  }

  @Override
  public void onIceCandidate(RTCIceCandidate candidate) {
    with(l -> l.localCandidate(candidate));
  }

  @Override
  public void onConnectionChange(RTCPeerConnectionState state) {
    with(l -> l.connectionStateChanged(state));
  }

  @Override
  public void onDataChannel(RTCDataChannel dataChannel) {
    with(
        l -> {
          if (l.role == PeerLink.Role.ANSWERER && PeerLink.LABEL.equals(dataChannel.getLabel())) {
            l.adoptChannel(dataChannel);
          } else {
            log.debug("unexpected data channel '{}' closed", dataChannel.getLabel());
            dataChannel.close();
          }
        });
  }

  @Override
  public void onStateChange() {
    with(PeerLink::channelStateChanged);
  }

  @Override
  public void onMessage(RTCDataChannelBuffer buffer) {
    with(l -> l.message(buffer));
  }

  /**
   * Never called by webrtc-java 0.14.0 (measured; added upstream later): {@link FlowControl} polls
   * instead.
   */
  @Override
  public void onBufferedAmountChange(long previousAmount) {
    with(l -> l.flow.bufferedAmountChanged());
  }
}
