package dev.waterfall.relay.node;

import com.fasterxml.jackson.databind.JsonNode;
import dev.waterfall.protocol.Message;
import dev.waterfall.relay.peer.CandidatePair;
import dev.waterfall.relay.peer.PeerLink;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Links that carry nothing: the test opens, feeds and drops them by hand, so the relay's policies
 * run without WebRTC (the WebRTC ITs prove the real links).
 */
final class FakeLinks implements EdgeLinks {
  final List<FakeLink> made = new ArrayList<>();

  @Override
  public EdgeLink offer(List<Message.IceServer> ice, PeerLink.Listener listener) {
    return make(true, listener);
  }

  @Override
  public EdgeLink answer(List<Message.IceServer> ice, PeerLink.Listener listener) {
    return make(false, listener);
  }

  private FakeLink make(boolean offers, PeerLink.Listener listener) {
    FakeLink link = new FakeLink(offers, listener);
    made.add(link);
    return link;
  }

  /** The last link made: toward the parent if it offers, toward a child if it answers. */
  FakeLink last() {
    return made.get(made.size() - 1);
  }

  static final class FakeLink implements EdgeLink {
    final boolean offers;
    final PeerLink.Listener listener;
    final List<byte[]> sent = new ArrayList<>();
    boolean open;
    boolean closed;

    /** What the channel holds unsent: a slow peer's grows. */
    long queued;

    FakeLink(boolean offers, PeerLink.Listener listener) {
      this.offers = offers;
      this.listener = listener;
    }

    void opens() {
      open = true;
      listener.onOpen();
    }

    void delivers(byte[] frame) {
      listener.onMessage(frame);
    }

    /** The peer went away (or ICE failed): the link closes by itself. */
    void drops() {
      open = false;
      listener.onClosed("gone");
    }

    @Override
    public void onRemoteSignal(JsonNode data) {}

    @Override
    public boolean isOpen() {
      return open && !closed;
    }

    @Override
    public long queuedEstimate() {
      return queued;
    }

    @Override
    public boolean send(byte[] frame) {
      if (!isOpen()) {
        return false;
      }
      sent.add(frame);
      return true;
    }

    @Override
    public void candidatePair(Consumer<CandidatePair> answer) {
      answer.accept(null);
    }

    @Override
    public void close() {
      closed = true;
      open = false;
    }
  }
}
