package dev.waterfall.relay.peer;

import dev.onvoid.webrtc.RTCDataChannel;
import dev.onvoid.webrtc.RTCDataChannelBuffer;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sending side of a link's DataChannel while it is open, and the guard that keeps its native
 * handle alive under a send. Threads: see {@link PeerLink}.
 */
final class ChannelSender {

  private static final Logger log = LoggerFactory.getLogger(PeerLink.class);

  private final FlowControl flow;
  private volatile RTCDataChannel openChannel; // non-null while sending is allowed

  /**
   * send() and bufferedAmount() run on callers' threads while the teardown disposes the channel on
   * another: without this the native handle could be freed under a send. Readers only tryLock,
   * because the teardown holds the write lock while libwebrtc runs on its signalling thread, which
   * may itself be in a callback that calls send().
   */
  private final ReentrantReadWriteLock nativeGuard = new ReentrantReadWriteLock();

  /**
   * Where sends run: one thread for every link of the factory, in order. A native send hops
   * synchronously onto libwebrtc's network thread; on a CPU-starved machine each hop waits for that
   * thread to be scheduled, and done on the caller's event loop they blocked a relay's publication,
   * HTTP fallback and heartbeats for seconds (the coordinator then took the relay for dead). Queued
   * here, they block nobody but this thread.
   */
  private final Executor sends;

  /** Bytes handed to {@link #sends} and not yet to libwebrtc. */
  private final AtomicLong pending = new AtomicLong();

  /** libwebrtc's bufferedAmount as last read, plus what was handed to it since. */
  private final AtomicLong inNative = new AtomicLong();

  ChannelSender(FlowControl flow, Executor sends) {
    this.flow = flow;
    this.sends = sends;
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

  /** See {@link PeerLink#send}. Queues the message for the sender thread; no native call here. */
  boolean send(byte[] message) {
    if (openChannel == null || queuedEstimate() + message.length > PeerLink.MAX_BUFFERED) {
      return false;
    }
    long estimate = pending.addAndGet(message.length) + inNative.get();
    try {
      sends.execute(() -> deliver(message));
    } catch (RejectedExecutionException e) {
      pending.addAndGet(-message.length); // the factory is closing
      return false;
    }
    flow.afterSend(estimate);
    return true;
  }

  /**
   * On the sender thread: hands the message to libwebrtc, unless the link closed meanwhile (then it
   * is dropped).
   */
  private void deliver(byte[] message) {
    if (openChannel == null || !nativeGuard.readLock().tryLock()) {
      pending.addAndGet(-message.length);
      return; // not open any more, or closing: the teardown holds the write lock
    }
    try {
      RTCDataChannel ch = openChannel;
      // Counted in libwebrtc's bufferedAmount from the send on: moved out of pending first, so that
      // a read of both never counts it twice.
      pending.addAndGet(-message.length);
      if (ch != null) {
        // webrtc-java 0.14.0 sends a heap buffer's whole backing array whatever its position and
        // limit: wrap exactly the message, never a slice of a larger array.
        ch.send(new RTCDataChannelBuffer(ByteBuffer.wrap(message), true));
        inNative.addAndGet(message.length);
      }
    } catch (Exception | Error e) {
      NativeErrors.rethrowIfFatal(e);
      log.debug("send failed: {}", e.toString());
    } finally {
      nativeGuard.readLock().unlock();
    }
  }

  /** See {@link PeerLink#queuedEstimate}. */
  long queuedEstimate() {
    return openChannel == null ? 0 : pending.get() + inNative.get();
  }

  /** See {@link PeerLink#bufferedAmount}; also brings {@link #queuedEstimate} up to date. */
  long bufferedAmount() {
    if (openChannel == null || !nativeGuard.readLock().tryLock()) {
      return 0;
    }
    try {
      RTCDataChannel ch = openChannel;
      long amount = ch == null ? 0 : ch.getBufferedAmount();
      inNative.set(amount);
      return amount + pending.get();
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
