package dev.waterfall.relay.node;

import dev.waterfall.protocol.Message;
import dev.waterfall.relay.peer.CandidatePair;
import dev.waterfall.relay.peer.PeerFactory;
import dev.waterfall.relay.peer.PeerLink;
import java.util.List;
import java.util.function.Consumer;

/**
 * Makes the links under a node's edges: toward the parent this node offers, toward a child it
 * answers. The one place the relay's policies meet WebRTC.
 */
interface EdgeLinks {
  EdgeLink offer(List<Message.IceServer> ice, PeerLink.Listener listener);

  EdgeLink answer(List<Message.IceServer> ice, PeerLink.Listener listener);

  /** Links over WebRTC DataChannels made by {@code factory}. */
  static EdgeLinks webRtc(PeerFactory factory) {
    return new EdgeLinks() {
      @Override
      public EdgeLink offer(List<Message.IceServer> ice, PeerLink.Listener listener) {
        return over(PeerLink.offer(factory, ice, listener));
      }

      @Override
      public EdgeLink answer(List<Message.IceServer> ice, PeerLink.Listener listener) {
        return over(PeerLink.answer(factory, ice, listener));
      }
    };
  }

  private static EdgeLink over(PeerLink link) {
    return new EdgeLink() {
      @Override
      public void onRemoteSignal(com.fasterxml.jackson.databind.JsonNode data) {
        link.onRemoteSignal(data);
      }

      @Override
      public boolean isOpen() {
        return link.isOpen();
      }

      @Override
      public long queuedEstimate() {
        return link.queuedEstimate();
      }

      @Override
      public boolean send(byte[] frame) {
        return link.send(frame);
      }

      @Override
      public void candidatePair(Consumer<CandidatePair> answer) {
        link.candidatePair(answer);
      }

      @Override
      public void close() {
        link.close();
      }
    };
  }
}
