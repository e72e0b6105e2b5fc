package dev.waterfall.relay.peer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A {@link PeerLink.Listener} for tests that records what a link reports and hands every event off
 * its native thread, as real listeners must: messages go to a queue read by the test thread,
 * signals to a small executor that delivers them to the other end through {@link #signalSink}.
 */
final class LinkProbe implements PeerLink.Listener {

  final String name;
  final CountDownLatch opened = new CountDownLatch(1);
  final BlockingQueue<byte[]> messages = new LinkedBlockingQueue<>();
  final CompletableFuture<String> closed = new CompletableFuture<>();
  final AtomicInteger closedCalls = new AtomicInteger();
  final AtomicInteger lowEvents = new AtomicInteger();
  final AtomicInteger callbacksAfterClose = new AtomicInteger();
  final Semaphore low = new Semaphore(0);

  /**
   * Where this end's signals go (normally: the other link's onRemoteSignal); set before the link is
   * made.
   */
  volatile Consumer<ObjectNode> signalSink = s -> {};

  private final ExecutorService signals;

  LinkProbe(String name) {
    this.name = name;
    this.signals =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "signals-from-" + name);
              t.setDaemon(true);
              return t;
            });
  }

  /** Wires two probes: each one's signals reach the other link, in order, off the native thread. */
  static void wire(
      LinkProbe a,
      CompletableFuture<PeerLink> linkA,
      LinkProbe b,
      CompletableFuture<PeerLink> linkB) {
    a.signalSink = s -> linkB.join().onRemoteSignal(s);
    b.signalSink = s -> linkA.join().onRemoteSignal(s);
  }

  @Override
  public void onSignal(ObjectNode data) {
    afterCloseCheck();
    signals.execute(() -> signalSink.accept(data));
  }

  @Override
  public void onOpen() {
    afterCloseCheck();
    opened.countDown();
  }

  @Override
  public void onMessage(byte[] message) {
    afterCloseCheck();
    messages.add(message);
  }

  @Override
  public void onBufferedAmountLow() {
    lowEvents.incrementAndGet();
    low.release();
  }

  @Override
  public void onClosed(String reason) {
    closedCalls.incrementAndGet();
    closed.complete(reason);
    signals.shutdown();
  }

  private void afterCloseCheck() {
    if (closed.isDone()) {
      callbacksAfterClose.incrementAndGet();
    }
  }

  boolean awaitOpen(long seconds) throws InterruptedException {
    return opened.await(seconds, TimeUnit.SECONDS);
  }
}
