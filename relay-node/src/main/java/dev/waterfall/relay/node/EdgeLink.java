package dev.waterfall.relay.node;

import com.fasterxml.jackson.databind.JsonNode;
import dev.waterfall.relay.peer.CandidatePair;
import java.util.function.Consumer;

/**
 * The transport under one tree edge, as the relay's policies see it: a WebRTC DataChannel ({@link
 * dev.waterfall.relay.peer.PeerLink}) in a running relay, a fake in the unit tests of those
 * policies (the WebRTC ITs prove the real thing).
 */
interface EdgeLink {
  /** The peer's offer, answer or ICE candidate. */
  void onRemoteSignal(JsonNode data);

  boolean isOpen();

  /** Bytes queued toward the peer, as far as this side knows. */
  long queuedEstimate();

  /** Queues {@code frame}; false if the channel refused it. */
  boolean send(byte[] frame);

  /** The candidate pair carrying the link, on any thread (null while unknown). */
  void candidatePair(Consumer<CandidatePair> answer);

  void close();
}
