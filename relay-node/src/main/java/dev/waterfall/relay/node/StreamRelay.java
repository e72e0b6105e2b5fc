package dev.waterfall.relay.node;

import dev.waterfall.protocol.Message;

/**
 * What a node forwards and how, chosen at its {@code welcome} by the stream's type: signed HLS
 * segments and parts over DataChannels ({@link HlsRelay}), or media tracks in a realtime stream
 * ({@link dev.waterfall.relay.realtime.TrackRelay}). {@link RelayNode} keeps the rest (the
 * coordinator session, the publish key, drain and stop). Everything runs on the node's context.
 */
public interface StreamRelay {
  /** How often {@link #tick} runs. */
  long TICK_MS = 250;

  /**
   * A welcome (the first, or one after a resume).
   *
   * @throws IllegalStateException when this relay cannot carry the stream the welcome names (the
   *     node's start fails with that message)
   */
  void welcome(Message.Welcome welcome);

  /** Signalling from the coordinator after the welcome (the publish key aside). */
  void message(Message message);

  /** Housekeeping, every {@link #TICK_MS}. */
  void tick(long now);

  /** The parent this node has a working link to (null while it has none). */
  String parentId();

  int children();

  /** Drops every link (the node has left the tree). */
  void close();
}
