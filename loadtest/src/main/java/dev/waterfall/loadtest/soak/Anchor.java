package dev.waterfall.loadtest.soak;

import dev.waterfall.protocol.Message;
import dev.waterfall.protocol.SignallingClient;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Holds one of the origin's slots for the whole run, so that every child the coordinator places
 * lands under the booster: the tree fills the shallowest free slot first, and the origin has as
 * many as the booster. A viewer with upload off that joins and heartbeats over signalling only; it
 * never offers an edge (the origin's end times out and is dropped), so it costs the run no WebRTC.
 */
final class Anchor implements AutoCloseable {
  private final SignallingClient client;
  private final long heartbeat;
  private final Vertx vertx;

  /**
   * Where the coordinator put it; a booster that joins when the origin is full may take its place
   * (reparent).
   */
  private volatile String parent;

  private Anchor(Vertx vertx, SignallingClient client, long heartbeat, String parent) {
    this.vertx = vertx;
    this.client = client;
    this.heartbeat = heartbeat;
    this.parent = parent;
  }

  static Anchor join(Vertx vertx, String base, String stream) throws Exception {
    SignallingClient client =
        SignallingClient.connect(vertx, base)
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    CompletableFuture<Message> answer = new CompletableFuture<>();
    CompletableFuture<Anchor> joined = new CompletableFuture<>();
    client.onMessage(
        m -> {
          if (m instanceof Message.Welcome || m instanceof Message.Error) {
            answer.complete(m);
          } else if (m instanceof Message.Reparent r) {
            joined.thenAccept(a -> a.parent = r.parent());
          }
        });
    client.send(new Message.Join(stream, "viewer", null, false, null));
    Message m = answer.get(10, TimeUnit.SECONDS);
    if (!(m instanceof Message.Welcome w)) {
      client.close();
      throw new IllegalStateException("an anchor was refused: " + m);
    }
    long heartbeat = vertx.setPeriodic(2000, t -> client.send(new Message.Heartbeat(null, null)));
    Anchor anchor = new Anchor(vertx, client, heartbeat, w.parent());
    joined.complete(anchor);
    return anchor;
  }

  String parent() {
    return parent;
  }

  @Override
  public void close() {
    vertx.cancelTimer(heartbeat);
    client.send(new Message.Leave());
    client.close();
  }
}
