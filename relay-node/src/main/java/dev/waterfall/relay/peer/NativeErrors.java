package dev.waterfall.relay.peer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a link treats failures that cross the JNI boundary, in either direction: native failures
 * reaching Java (translated, logged, never the JVM's own errors swallowed) and listener failures
 * that must never reach native code. Logs under {@link PeerLink}'s name, where these messages have
 * always been.
 */
final class NativeErrors {

  private static final Logger log = LoggerFactory.getLogger(PeerLink.class);

  private NativeErrors() {}

  /**
   * webrtc-java reports native failures (unparseable SDP or candidate, a handle already released)
   * as plain {@code java.lang.Error}: those we catch like exceptions, but never the JVM's own
   * errors.
   */
  static void rethrowIfFatal(Throwable t) {
    if (t instanceof VirtualMachineError) {
      throw (VirtualMachineError) t;
    }
  }

  /** One teardown step: a failure (a handle already released) must not stop the steps after it. */
  static void quietly(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException | Error e) {
      rethrowIfFatal(e);
      log.debug("teardown: {}", e.toString());
    }
  }

  /** Listener code must not throw into native code (JNI would report it and go on, or worse). */
  static void safely(String what, Runnable r) {
    try {
      r.run();
    } catch (RuntimeException | Error e) {
      rethrowIfFatal(e);
      log.warn("PeerLink listener {} threw", what, e);
    }
  }
}
