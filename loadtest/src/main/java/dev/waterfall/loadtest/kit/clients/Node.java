package dev.waterfall.loadtest.kit.clients;

import dev.waterfall.protocol.Message;
import dev.waterfall.protocol.NodeKey;
import io.vertx.core.http.WebSocket;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One simulated node: its socket, its place once welcomed, the clocks of its join and of a resume.
 */
public final class Node {
  final int slot;

  /** The coordinator it tries first: slot mod n (round-robin). */
  final int home;

  final String stream;
  final String joinText;
  final JoinBatch batch;

  /** The origin never departs in the churn phase: its loss is not a repair the tree can make. */
  final boolean origin;

  /** Called once its join has an outcome (welcome or failure): a progress step. */
  final Runnable settledStep;

  final long connectStarted = System.nanoTime();

  /**
   * Set once the join's outcome (welcome, error, close, failure) is counted, so it is counted once.
   */
  final AtomicBoolean settled = new AtomicBoolean();

  /**
   * Children the coordinator gave us (child-joined minus child-left): moves a departure should
   * cause.
   */
  final AtomicInteger children = new AtomicInteger();

  volatile WebSocket socket;

  /** Index of the coordinator its socket is on. */
  volatile int coordinator;

  volatile long joinSent;
  volatile long resumeSent;
  volatile String nodeId;
  volatile String resumeToken;

  /** When (System.nanoTime) {@link #resumeToken} arrived: its resume signs the token's age. */
  volatile long resumeTokenArrived;

  /**
   * Its own key, as a page's: the join names it, a resume is signed with it. Null in a fleet that
   * never resumes (its nodes join afresh), which spares it the key generation.
   */
  final NodeKey key;

  volatile boolean joined;

  /**
   * Our parent as the coordinator last said (welcome, then reparents): tells a repair from a
   * rebalancing.
   */
  volatile String parent;

  /** Set before we leave or close on purpose, so the close is not counted as a drop. */
  volatile boolean departed;

  /** nanoTime its socket dropped while joined, -1 while connected (a resuming fleet's nodes). */
  volatile long droppedNanos = -1;

  volatile String parentAtDrop;

  /**
   * Connections tried since the last welcome, and in all: the back-off and the next coordinator.
   */
  volatile int attempt;

  volatile int tries;

  Node(
      int slot,
      int home,
      String stream,
      String joinText,
      JoinBatch batch,
      boolean origin,
      Runnable settledStep,
      NodeKey key) {
    this.slot = slot;
    this.home = home;
    this.stream = stream;
    this.key = key;
    // The join's text ends with its closing brace: the key goes in before it.
    this.joinText =
        key == null
            ? joinText
            : joinText.substring(0, joinText.length() - 1)
                + ",\"nodeKey\":\""
                + key.publicKey()
                + "\"}";
    this.batch = batch;
    this.origin = origin;
    this.settledStep = settledStep;
  }

  /**
   * The coordinator index the next connection goes to: home first, then the others, in turn one way
   * for half the nodes and the other way for the rest, as clients that shuffle their list: a dead
   * coordinator's nodes then spread over the survivors.
   */
  /** Its resume, signed now (a node that has a token has a key: only resuming fleets get one). */
  Message.Resume resume() {
    long ageMs = (System.nanoTime() - resumeTokenArrived) / 1_000_000;
    return key.resume(stream, nodeId, resumeToken, ageMs, null);
  }

  int target(int coordinators) {
    int step = tries % coordinators;
    return ((slot / coordinators) % 2 == 0 ? home + step : home + coordinators - step)
        % coordinators;
  }
}
