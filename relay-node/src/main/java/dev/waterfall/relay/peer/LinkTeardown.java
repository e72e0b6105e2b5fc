package dev.waterfall.relay.peer;

import dev.onvoid.webrtc.RTCDataChannel;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of one link, whatever the cause: the open timeout, the disconnect grace, or any {@link
 * #closeWith} call. It happens once; the native objects are released on the factory's thread and
 * the listener hears {@code onClosed} last. Threads: see {@link PeerLink}.
 */
final class LinkTeardown {

  private static final Logger log = LoggerFactory.getLogger(PeerLink.class);

  private final PeerLink link;
  private final PeerFactory factory;
  private final AtomicBoolean closing = new AtomicBoolean();
  private final ScheduledFuture<?> openTimer;
  private final Object lock = new Object();
  private ScheduledFuture<?> disconnectTimer; // guarded by lock

  /** Starts the open timeout at once. */
  LinkTeardown(PeerLink link, PeerFactory factory) {
    this.link = link;
    this.factory = factory;
    long timeoutMs = factory.settings().openTimeout().toMillis();
    this.openTimer =
        factory
            .timers()
            .schedule(
                () -> closeWith("not open after " + timeoutMs + " ms"),
                timeoutMs,
                TimeUnit.MILLISECONDS);
  }

  boolean isClosing() {
    return closing.get();
  }

  /** The channel opened (or the link could not be made): the open timeout no longer applies. */
  void cancelOpenTimer() {
    openTimer.cancel(false);
  }

  /**
   * Consent checks unanswered: often a blip. libwebrtc says "failed" only after ~30 s; we give it
   * less.
   */
  void disconnected() {
    long graceMs = factory.settings().disconnectGrace().toMillis();
    synchronized (lock) {
      if (disconnectTimer == null && !closing.get()) {
        try {
          disconnectTimer =
              factory
                  .timers()
                  .schedule(
                      () -> closeWith("ICE disconnected for " + graceMs + " ms"),
                      graceMs,
                      TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
          // factory closing: it closes this link too
        }
      }
    }
  }

  void connected() {
    synchronized (lock) {
      if (disconnectTimer != null) {
        disconnectTimer.cancel(false);
        disconnectTimer = null;
      }
    }
  }

  /**
   * Marks the link closing at once (send() returns false from here on) and runs the native teardown
   * on the factory's thread: never on a native callback thread, where closing the peer connection
   * would delete the observer that is calling us.
   */
  void closeWith(String reason) {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    link.sender.stop();
    openTimer.cancel(false);
    try {
      factory.timers().execute(() -> teardown(reason));
    } catch (RejectedExecutionException e) {
      // factory already shut down its thread: tear down here, we are not in a callback then
      teardown(reason);
    }
  }

  private void teardown(String reason) {
    RTCDataChannel ch = link.detachChannel();
    Negotiation negotiation = link.negotiation;
    if (negotiation != null) {
      negotiation.clear();
    }
    synchronized (lock) {
      if (disconnectTimer != null) {
        disconnectTimer.cancel(false);
      }
    }
    if (ch != null) {
      NativeErrors.quietly(ch::unregisterObserver);
      NativeErrors.quietly(ch::close);
    }
    NativeErrors.quietly(link.pc::close); // also deletes the native PeerConnectionObserver
    if (ch != null) {
      link.sender.dispose(ch);
    }
    // webrtc-java keeps a JNI global reference to a registered channel observer forever (unregister
    // does not delete it): cut the shim loose so it does not keep this link and its listener
    // reachable.
    link.callbacks.link = null;
    factory.unregister(link);
    log.debug("link {} closed: {}", link.role, reason);
    NativeErrors.safely("onClosed", () -> link.listener.onClosed(reason));
  }
}
