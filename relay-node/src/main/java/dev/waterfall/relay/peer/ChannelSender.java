package dev.waterfall.relay.peer;

import dev.onvoid.webrtc.RTCDataChannel;
import dev.onvoid.webrtc.RTCDataChannelBuffer;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sending side of a link's DataChannel while it is open, and the guard that keeps its native handle alive
 * under a send. Threads: see {@link PeerLink}.
 */
final class ChannelSender {

  private static final Logger log = LoggerFactory.getLogger(PeerLink.class);

  private final FlowControl flow;
  private volatile RTCDataChannel openChannel; // non-null while sending is allowed
  /**
   * send() and bufferedAmount() run on callers' threads while the teardown disposes the channel on another:
   * without this the native handle could be freed under a send. Readers only tryLock, because the teardown
   * holds the write lock while libwebrtc runs on its signalling thread, which may itself be in a callback
   * that calls send().
   */
  private final ReentrantReadWriteLock nativeGuard = new ReentrantReadWriteLock();
  /**
   * bufferedAmount as last read from libwebrtc, plus what was sent since: the send path's view, with no native
   * call. Each native call hops synchronously onto libwebrtc's network thread; on a CPU-starved machine each hop
   * waits for that thread to be scheduled, and three of them per frame per child blocked a relay's event loop for
   * seconds at a time (its heartbeats then stopped and the coordinator took it for dead). An upper bound: it only
   * misses the drain since the last read, and the flow-control poll re-reads while the queue is above its low-water
   * mark.
   */
  private final AtomicLong queued = new AtomicLong();

  ChannelSender(FlowControl flow) {
    this.flow = flow;
  }

  boolean isOpen() {
    return openChannel != null;
  }

  /** Sending is allowed from now on. */
  void open(RTCDataChannel ch) {
    openChannel = ch;
  }

  /** Sending is refused from now on (the native channel may live on until {@link #dispose}). */
  void stop() {
    openChannel = null;
  }

  /** See {@link PeerLink#send}. */
  boolean send(byte[] message) {
    if (openChannel == null || !nativeGuard.readLock().tryLock()) {
      return false; // not open, or closing: the teardown holds the write lock
    }
    try {
      RTCDataChannel ch = openChannel;
      if (ch == null || queued.get() + message.length > PeerLink.MAX_BUFFERED) {
        return false;
      }
      // webrtc-java 0.14.0 sends a heap buffer's whole backing array whatever its position and limit:
      // wrap exactly the message, never a slice of a larger array.
      ch.send(new RTCDataChannelBuffer(ByteBuffer.wrap(message), true));
      flow.afterSend(queued.addAndGet(message.length));
      return true;
    } catch (Exception | Error e) {
      NativeErrors.rethrowIfFatal(e);
      log.debug("send failed: {}", e.toString());
      return false;
    } finally {
      nativeGuard.readLock().unlock();
    }
  }

  /** See {@link PeerLink#queuedEstimate}. */
  long queuedEstimate() {
    return openChannel == null ? 0 : queued.get();
  }

  /** See {@link PeerLink#bufferedAmount}; also brings {@link #queuedEstimate} up to date. */
  long bufferedAmount() {
    if (openChannel == null || !nativeGuard.readLock().tryLock()) {
      return 0;
    }
    try {
      RTCDataChannel ch = openChannel;
      long amount = ch == null ? 0 : ch.getBufferedAmount();
      queued.set(amount);
      return amount;
    } catch (RuntimeException | Error e) {
      NativeErrors.rethrowIfFatal(e);
      return 0;
    } finally {
      nativeGuard.readLock().unlock();
    }
  }

  /** Frees the native channel once no send or bufferedAmount is using it. */
  void dispose(RTCDataChannel ch) {
    nativeGuard.writeLock().lock();
    try {
      // Throws if libwebrtc still holds a reference; the object is then freed with the connection.
      NativeErrors.quietly(ch::dispose);
    } finally {
      nativeGuard.writeLock().unlock();
    }
  }
}
