package dev.waterfall.relay.peer;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * A link's low-water mark: tells the listener when {@link PeerLink#bufferedAmount()} has fallen to
 * the threshold after a send left it above.
 *
 * <p>webrtc-java 0.14.0 never forwards libwebrtc's OnBufferedAmountChange to Java, so a link above
 * its threshold polls its bufferedAmount on the factory's thread until it has drained. The callback
 * path is also wired ({@link LinkCallbacks#onBufferedAmountChange}) for the versions that do call
 * it. Threads: see {@link PeerLink}.
 */
final class FlowControl {

  private final PeerFactory factory;
  private final LongSupplier bufferedAmount;
  private final BooleanSupplier closing;
  private final Runnable onLow;
  private final AtomicBoolean armed = new AtomicBoolean();
  private volatile long lowThreshold = PeerLink.DEFAULT_LOW_THRESHOLD;

  /**
   * @param bufferedAmount the link's current bufferedAmount (0 once closed)
   * @param closing true once the link is closing: polling stops and {@code onLow} is no longer
   *     called
   * @param onLow tells the listener; must not throw
   */
  FlowControl(
      PeerFactory factory, LongSupplier bufferedAmount, BooleanSupplier closing, Runnable onLow) {
    this.factory = factory;
    this.bufferedAmount = bufferedAmount;
    this.closing = closing;
    this.onLow = onLow;
  }

  long lowThreshold() {
    return lowThreshold;
  }

  void setLowThreshold(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("threshold must be >= 0");
    }
    lowThreshold = bytes;
  }

  /** After a send that left {@code buffered} bytes queued. */
  void afterSend(long buffered) {
    if (buffered > lowThreshold) {
      arm();
    }
  }

  /** The native callback, when a webrtc-java version calls it. */
  void bufferedAmountChanged() {
    if (armed.get() && bufferedAmount.getAsLong() <= lowThreshold) {
      checkLow();
    }
  }

  private void arm() {
    if (armed.compareAndSet(false, true)) {
      schedulePoll();
    }
  }

  private void schedulePoll() {
    try {
      factory
          .timers()
          .schedule(
              this::poll, factory.settings().flowPollInterval().toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      armed.set(false); // factory closing
    }
  }

  private void poll() {
    if (closing.getAsBoolean()) {
      armed.set(false);
      return;
    }
    if (bufferedAmount.getAsLong() <= lowThreshold) {
      checkLow();
    } else {
      schedulePoll();
    }
  }

  /**
   * Disarms, then looks again: a send() racing with us either saw us armed (its bytes are then in
   * the second look, and we re-arm) or finds us disarmed and arms a new watch itself. So no send
   * above the threshold is ever left without a watch, which would stall a paused sender for good.
   */
  private void checkLow() {
    if (!armed.compareAndSet(true, false)) {
      return;
    }
    if (bufferedAmount.getAsLong() > lowThreshold) {
      arm();
    } else if (!closing.getAsBoolean()) {
      onLow.run();
    }
  }
}
