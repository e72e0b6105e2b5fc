package dev.waterfall.coordinator.signalling;

import com.fasterxml.jackson.databind.JsonNode;
import dev.waterfall.protocol.ErrorCode;
import dev.waterfall.protocol.Message;
import dev.waterfall.protocol.MessageCodec;
import io.vertx.core.http.ServerWebSocket;

/**
 * One WebSocket and the tree node behind it, once joined. Touched only on its socket's event loop.
 */
final class Session {
  enum State {
    CONNECTED,
    JOINING,
    JOINED,
    GONE
  }

  final ServerWebSocket socket;

  /**
   * The client's address (behind a trusted proxy, the forwarded one): what per-address limits
   * count.
   */
  final String address;

  final TokenBucket bucket;
  final long openedAt;
  State state = State.CONNECTED;
  String stream;
  String nodeId;
  String role;
  boolean root;
  String httpUrl;

  /**
   * An origin joined with a publish key: that key's hash (null otherwise, and for a resumed
   * origin).
   */
  String publishKeyHash;

  /**
   * Which fallback URLs a page on this socket can fetch; strictest until the socket says otherwise.
   */
  dev.waterfall.coordinator.streams.UsableUrls.Page page =
      new dev.waterfall.coordinator.streams.UsableUrls.Page(
          true, dev.waterfall.coordinator.streams.UsableUrls.Reach.PUBLIC);

  int capacity;

  /**
   * When this viewer's heartbeat next asks the tree what a quiet period earned it back (clock
   * millis): when the tree said it could (its answer to the last ask), 0 for at once (a child just
   * left it, as a report's reporter does, see {@link #childLeft}), and at the latest every {@link
   * NodeReports#EARN_SWEEP_PERIODS} quiet periods, should a report have cost it a slot without a
   * child leaving. Not at every heartbeat: each ask is a tree mutation, replayed on the backup.
   */
  volatile long earnCheckAt = Long.MAX_VALUE;

  /** A child left this node (moved away, reported it, or went): its slots may have changed. */
  void childLeft() {
    earnCheckAt = 0;
  }

  int maxChildren;
  int bitrateKbps;
  long lastSeen;

  /**
   * When this node's TURN credentials are half spent and it gets fresh ones (clock millis; see
   * NodeIceServers).
   */
  long iceRenewAt = Long.MAX_VALUE;

  /** When this node's resume token is half spent and it gets a fresh one (clock millis). */
  long resumeTokenRenewAt = Long.MAX_VALUE;

  /**
   * The node's own public key (its join's {@code nodeKey}, or the one its resume proved), which
   * every resume token it gets is bound to; null: it gets none.
   */
  String nodeKey;

  /**
   * Kept by {@link Silence}: lastSeen at the previous liveness check, and the checks since it last
   * changed.
   */
  long lastSeenAtCheck;

  int quietChecks;
  int rateViolations;
  boolean countedSocket;

  /** The last two heartbeats' stats, for the dashboard (its recent P2P share compares them). */
  JsonNode lastStats;

  JsonNode previousStats;

  /**
   * Why and since when (System.nanoTime) this node is departing: set where the loss is first
   * noticed.
   */
  String departure = "closed";

  long departureNoticed;

  Session(ServerWebSocket socket, String address, TokenBucket bucket, long now) {
    this.socket = socket;
    this.address = address;
    this.bucket = bucket;
    this.openedAt = now;
    this.lastSeen = now;
  }

  void send(Message message) {
    sendText(MessageCodec.encode(message));
  }

  void sendText(String text) {
    if (!socket.isClosed()) {
      socket.writeTextMessage(text);
    }
  }

  void fail(ErrorCode code, String message) {
    send(new Message.Error(code.wire(), message));
  }

  /** Sends the error, then closes: for refused credentials and abuse. */
  void refuse(ErrorCode code, String message, short closeCode) {
    fail(code, message);
    socket.close(closeCode, code.wire());
  }
}
