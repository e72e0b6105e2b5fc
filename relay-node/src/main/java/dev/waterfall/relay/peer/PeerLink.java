package dev.waterfall.relay.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCDataChannel;
import dev.onvoid.webrtc.RTCDataChannelBuffer;
import dev.onvoid.webrtc.RTCDataChannelInit;
import dev.onvoid.webrtc.RTCDataChannelState;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCIceServer;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import dev.waterfall.protocol.Message;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One tree edge: one RTCPeerConnection carrying one reliable, ordered DataChannel labelled {@value #LABEL}.
 * The child calls {@link #offer} (it creates the channel and the offer), the parent {@link #answer} (it answers
 * and receives the channel in-band). Signals go out through {@link Listener#onSignal} and come back in through
 * {@link #onRemoteSignal}, in the JSON shapes of {@link Signals}, so the other end may as well be a browser.
 *
 * <h2>Threading</h2>
 * Listener callbacks arrive on libwebrtc's signalling thread ({@code onSignal}, {@code onOpen},
 * {@code onMessage}) or on the factory's "peer-links" thread ({@code onBufferedAmountLow}, {@code onClosed});
 * they may start before {@code offer}/{@code answer} has returned. Both threads are shared by every link of the
 * factory (one signalling thread carries all links' messages): a listener must hand its work to its own
 * executor or event loop and return, never block or do I/O in a callback. The callbacks of one link never run
 * concurrently with each other except {@code onBufferedAmountLow}.
 * {@code onClosed} comes exactly once, last: after it no other callback arrives.
 *
 * <p>The methods of this class may be called from any thread. {@link #send}, {@link #bufferedAmount} and
 * {@link #onRemoteSignal} hop synchronously onto a libwebrtc thread (microseconds, not I/O); {@link #close} only
 * schedules the native teardown, so it is safe from inside a callback.
 */
public final class PeerLink {

  private static final Logger log = LoggerFactory.getLogger(PeerLink.class);

  public static final String LABEL = "waterfall";
  /** Default {@link #bufferedAmountLowThreshold()}: the browser's is 0; ours suits 64 KiB messages. */
  public static final long DEFAULT_LOW_THRESHOLD = 256 * 1024;
  /**
   * libwebrtc closes a DataChannel whose send queue passes 16 MiB; {@link #send} refuses to queue beyond this
   * instead, so an overeager sender loses a message rather than the whole edge.
   */
  public static final long MAX_BUFFERED = 15L * 1024 * 1024;
  /** More candidates than this before the description is a misbehaving peer, not a trickle. */
  private static final int MAX_PENDING_CANDIDATES = 200;

  /** Receives what a link reports; see the threading contract in {@link PeerLink}. */
  public interface Listener {
    /** Send {@code data} to the other end through the coordinator ({@code signal} message). */
    void onSignal(ObjectNode data);

    /** The DataChannel is open: {@link #send} works from now on. */
    void onOpen();

    /** One message, copied out of native memory: the array is the caller's to keep. */
    void onMessage(byte[] message);

    /** {@link #bufferedAmount()} fell to {@link #bufferedAmountLowThreshold()} or below after being above. */
    default void onBufferedAmountLow() {}

    /**
     * The link is over (ICE failed or stayed disconnected, the channel or connection was closed by either side,
     * the open timeout passed, or {@link #close} was called) and its native objects are released.
     */
    void onClosed(String reason);
  }

  /** Child end (creates the channel and the offer) or parent end (answers). */
  public enum Role { OFFERER, ANSWERER }

  private final PeerFactory factory;
  final Role role;
  private final Listener listener;
  private final LinkCallbacks callbacks;
  private final RTCPeerConnection pc;
  private final long createdNanos = System.nanoTime();

  private final Object lock = new Object();
  private RTCDataChannel channel; // guarded by lock; set once
  private boolean remoteDescriptionReceived; // guarded by lock
  private boolean remoteDescriptionApplied; // guarded by lock
  private final List<RTCIceCandidate> pendingCandidates = new ArrayList<>(); // guarded by lock
  private ScheduledFuture<?> disconnectTimer; // guarded by lock

  private final AtomicBoolean opened = new AtomicBoolean();
  private final AtomicBoolean closing = new AtomicBoolean();
  final AtomicBoolean flowArmed = new AtomicBoolean();
  private final ScheduledFuture<?> openTimer;
  private volatile RTCDataChannel openChannel; // non-null while sending is allowed
  volatile long lowThreshold = DEFAULT_LOW_THRESHOLD;
  private volatile long openNanos = -1;
  /**
   * send() and bufferedAmount() run on callers' threads while the teardown disposes the channel on another:
   * without this the native handle could be freed under a send. Readers only tryLock, because the teardown
   * holds the write lock while libwebrtc runs on its signalling thread, which may itself be in a callback
   * that calls send().
   */
  private final ReentrantReadWriteLock nativeGuard = new ReentrantReadWriteLock();

  private PeerLink(PeerFactory factory, Role role, List<Message.IceServer> iceServers, Listener listener) {
    this.factory = Objects.requireNonNull(factory, "factory");
    this.role = role;
    this.listener = Objects.requireNonNull(listener, "listener");
    dev.onvoid.webrtc.PeerConnectionFactory nativeFactory = factory.nativeFactory(); // fails if closed
    RTCConfiguration config = new RTCConfiguration();
    config.iceServers = toNative(iceServers == null ? List.of() : iceServers);
    this.callbacks = new LinkCallbacks(this);
    long timeoutMs = factory.settings().openTimeout().toMillis();
    this.openTimer = factory.timers().schedule(
        () -> closeWith("not open after " + timeoutMs + " ms"), timeoutMs, TimeUnit.MILLISECONDS);
    try {
      this.pc = nativeFactory.createPeerConnection(config, callbacks);
    } catch (RuntimeException | Error e) {
      rethrowIfFatal(e);
      openTimer.cancel(false);
      // e.g. an ICE server URL libwebrtc does not accept
      throw new IllegalArgumentException("could not create a peer connection: " + e.getMessage(), e);
    }
    factory.register(this);
  }

  /** The child end: creates the DataChannel and the offer, which arrives at {@link Listener#onSignal}. */
  public static PeerLink offer(PeerFactory factory, List<Message.IceServer> iceServers, Listener listener) {
    PeerLink link = new PeerLink(factory, Role.OFFERER, iceServers, listener);
    try {
      RTCDataChannelInit init = new RTCDataChannelInit(); // defaults: ordered, reliable, negotiated in-band
      RTCDataChannel ch = link.pc.createDataChannel(LABEL, init);
      link.adoptChannel(ch);
      link.pc.createOffer(new RTCOfferOptions(), link.created());
    } catch (RuntimeException | Error e) {
      rethrowIfFatal(e);
      link.close();
      throw new IllegalStateException("could not start a WebRTC offer: " + e.getMessage(), e);
    }
    return link;
  }

  /** The parent end: waits for the child's offer through {@link #onRemoteSignal}. */
  public static PeerLink answer(PeerFactory factory, List<Message.IceServer> iceServers, Listener listener) {
    return new PeerLink(factory, Role.ANSWERER, iceServers, listener);
  }

  public Role role() {
    return role;
  }

  /**
   * Applies a signal from the other end: its description, or one trickled candidate (queued until the remote
   * description is applied). Signals arriving after the link closed are ignored.
   *
   * @throws IllegalArgumentException if {@code data} is malformed or not expected here (an answer at the
   *     answering end, a second description, SDP or a candidate libwebrtc cannot parse); the link is left as it
   *     was. Nothing else is thrown.
   */
  public void onRemoteSignal(JsonNode data) {
    Signals.Signal signal = Signals.parse(data);
    if (closing.get()) {
      return;
    }
    if (signal instanceof Signals.Description) {
      applyDescription((Signals.Description) signal);
    } else {
      applyCandidate((Signals.Candidate) signal);
    }
  }

  private void applyDescription(Signals.Description d) {
    boolean wantOffer = role == Role.ANSWERER;
    if (d.isOffer() != wantOffer) {
      throw new IllegalArgumentException(
          "the " + role.name().toLowerCase() + " end of a link expects an " + (wantOffer ? "offer" : "answer")
              + ", got an " + d.type());
    }
    RTCSessionDescription desc = new RTCSessionDescription(d.isOffer() ? RTCSdpType.OFFER : RTCSdpType.ANSWER,
        d.sdp());
    synchronized (lock) {
      if (remoteDescriptionReceived) {
        throw new IllegalArgumentException("a second " + d.type() + ": renegotiation is not supported");
      }
      remoteDescriptionReceived = true;
    }
    try {
      pc.setRemoteDescription(desc, applied(this::remoteDescriptionApplied));
    } catch (RuntimeException | Error e) {
      rethrowIfFatal(e);
      if (closing.get()) {
        return; // closed meanwhile: the native handle is gone, and nothing is to be done
      }
      // webrtc-java parses the SDP in Java's thread and throws when libwebrtc cannot.
      synchronized (lock) {
        remoteDescriptionReceived = false;
      }
      throw new IllegalArgumentException("the " + d.type() + " was rejected: " + e.getMessage(), e);
    }
  }

  private void applyCandidate(Signals.Candidate c) {
    if (c.isEndOfCandidates()) {
      return; // libwebrtc needs no end-of-candidates marker for a data-only connection
    }
    RTCIceCandidate candidate = new RTCIceCandidate(c.sdpMid(), c.sdpMLineIndex(), c.candidate());
    synchronized (lock) {
      if (!remoteDescriptionApplied) {
        // libwebrtc drops candidates that arrive before the remote description: keep them for later.
        if (pendingCandidates.size() >= MAX_PENDING_CANDIDATES) {
          throw new IllegalArgumentException("more than " + MAX_PENDING_CANDIDATES + " candidates before the "
              + "remote description");
        }
        pendingCandidates.add(candidate);
        return;
      }
    }
    addCandidate(candidate, true);
  }

  private void addCandidate(RTCIceCandidate candidate, boolean fromCaller) {
    try {
      pc.addIceCandidate(candidate);
    } catch (RuntimeException | Error e) {
      rethrowIfFatal(e);
      if (fromCaller && !closing.get()) {
        throw new IllegalArgumentException("candidate rejected: " + e.getMessage(), e);
      }
      log.debug("queued candidate rejected: {}", e.getMessage());
    }
  }

  /** On a native thread, once the remote description is in: apply the queued candidates; answer an offer. */
  private void remoteDescriptionApplied() {
    List<RTCIceCandidate> queued;
    synchronized (lock) {
      remoteDescriptionApplied = true;
      queued = new ArrayList<>(pendingCandidates);
      pendingCandidates.clear();
    }
    for (RTCIceCandidate c : queued) {
      addCandidate(c, false);
    }
    if (role == Role.ANSWERER) {
      pc.createAnswer(new RTCAnswerOptions(), created());
    }
  }

  /**
   * Sends exactly {@code message} as one binary message.
   *
   * @return false if it was not queued: the channel is not open (yet or any more), or queueing it would pass
   *     {@link #MAX_BUFFERED}. Flow control ({@link #bufferedAmount()}, {@link Listener#onBufferedAmountLow})
   *     should keep a sender far below that.
   */
  public boolean send(byte[] message) {
    if (openChannel == null || !nativeGuard.readLock().tryLock()) {
      return false; // not open, or closing: the teardown holds the write lock
    }
    try {
      RTCDataChannel ch = openChannel;
      if (ch == null || ch.getBufferedAmount() + message.length > MAX_BUFFERED) {
        return false;
      }
      // webrtc-java 0.14.0 sends a heap buffer's whole backing array whatever its position and limit:
      // wrap exactly the message, never a slice of a larger array.
      ch.send(new RTCDataChannelBuffer(ByteBuffer.wrap(message), true));
      if (ch.getBufferedAmount() > lowThreshold) {
        armFlowWatch();
      }
      return true;
    } catch (Exception | Error e) {
      rethrowIfFatal(e);
      log.debug("send failed: {}", e.toString());
      return false;
    } finally {
      nativeGuard.readLock().unlock();
    }
  }

  /** Bytes queued in the channel and not yet sent; 0 when not open. */
  public long bufferedAmount() {
    if (openChannel == null || !nativeGuard.readLock().tryLock()) {
      return 0;
    }
    try {
      RTCDataChannel ch = openChannel;
      return ch == null ? 0 : ch.getBufferedAmount();
    } catch (RuntimeException | Error e) {
      rethrowIfFatal(e);
      return 0;
    } finally {
      nativeGuard.readLock().unlock();
    }
  }

  public long bufferedAmountLowThreshold() {
    return lowThreshold;
  }

  /** Like the browser's {@code bufferedAmountLowThreshold}: {@link Listener#onBufferedAmountLow} fires at it. */
  public void setBufferedAmountLowThreshold(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("threshold must be >= 0");
    }
    lowThreshold = bytes;
  }

  public boolean isOpen() {
    return openChannel != null;
  }

  /** Milliseconds from creation until the channel opened, or -1 if it has not. */
  public long openMillis() {
    long n = openNanos;
    return n < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(n - createdNanos);
  }

  /** Closes the link; {@link Listener#onClosed} follows with "closed locally". Idempotent; never blocks. */
  public void close() {
    closeWith("closed locally");
  }

  // --- flow control ------------------------------------------------------------------------------------------

  /**
   * webrtc-java 0.14.0 never forwards libwebrtc's OnBufferedAmountChange to Java, so a link above its threshold
   * polls its bufferedAmount on the factory's thread until it has drained. The callback path is also wired
   * ({@link LinkCallbacks#onBufferedAmountChange}) for the versions that do call it.
   */
  private void armFlowWatch() {
    if (flowArmed.compareAndSet(false, true)) {
      scheduleFlowPoll();
    }
  }

  private void scheduleFlowPoll() {
    try {
      factory.timers().schedule(this::pollFlow, factory.settings().flowPollInterval().toNanos(),
          TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      flowArmed.set(false); // factory closing
    }
  }

  private void pollFlow() {
    if (closing.get()) {
      flowArmed.set(false);
      return;
    }
    if (bufferedAmount() <= lowThreshold) {
      checkLow();
    } else {
      scheduleFlowPoll();
    }
  }

  /**
   * Disarms, then looks again: a send() racing with us either saw us armed (its bytes are then in the second
   * look, and we re-arm) or finds us disarmed and arms a new watch itself. So no send above the threshold is
   * ever left without a watch, which would stall a paused sender for good.
   */
  void checkLow() {
    if (!flowArmed.compareAndSet(true, false)) {
      return;
    }
    if (bufferedAmount() > lowThreshold) {
      armFlowWatch();
    } else if (!closing.get()) {
      safely("onBufferedAmountLow", listener::onBufferedAmountLow);
    }
  }

  // --- native events -----------------------------------------------------------------------------------------

  void adoptChannel(RTCDataChannel ch) {
    synchronized (lock) {
      if (channel != null || closing.get()) {
        // A peer (browser) opening a second channel: not part of our protocol.
        log.debug("extra data channel '{}' refused", ch.getLabel());
        ch.close();
        return;
      }
      channel = ch;
    }
    ch.registerObserver(callbacks);
    // On the answering end the channel may already be open when it is handed to us.
    channelStateChanged();
  }

  void channelStateChanged() {
    RTCDataChannel ch;
    synchronized (lock) {
      ch = channel;
    }
    if (ch == null || closing.get()) {
      return;
    }
    RTCDataChannelState state = ch.getState();
    if (state == RTCDataChannelState.OPEN) {
      if (opened.compareAndSet(false, true)) {
        openNanos = System.nanoTime();
        openTimer.cancel(false);
        openChannel = ch;
        if (closing.get()) {
          openChannel = null; // closed meanwhile: closeWith may have missed the channel
          return;
        }
        safely("onOpen", listener::onOpen);
      }
    } else if (state == RTCDataChannelState.CLOSING || state == RTCDataChannelState.CLOSED) {
      closeWith(opened.get() ? "data channel closed" : "data channel closed before it opened");
    }
  }

  void connectionStateChanged(RTCPeerConnectionState state) {
    if (state == RTCPeerConnectionState.FAILED) {
      closeWith("ICE failed");
    } else if (state == RTCPeerConnectionState.CLOSED) {
      closeWith("peer connection closed");
    } else if (state == RTCPeerConnectionState.DISCONNECTED) {
      // Consent checks unanswered: often a blip. libwebrtc says "failed" only after ~30 s; we give it less.
      long graceMs = factory.settings().disconnectGrace().toMillis();
      synchronized (lock) {
        if (disconnectTimer == null && !closing.get()) {
          try {
            disconnectTimer = factory.timers().schedule(
                () -> closeWith("ICE disconnected for " + graceMs + " ms"), graceMs, TimeUnit.MILLISECONDS);
          } catch (RejectedExecutionException e) {
            // factory closing: it closes this link too
          }
        }
      }
    } else if (state == RTCPeerConnectionState.CONNECTED) {
      synchronized (lock) {
        if (disconnectTimer != null) {
          disconnectTimer.cancel(false);
          disconnectTimer = null;
        }
      }
    }
  }

  void localCandidate(RTCIceCandidate c) {
    if (closing.get()) {
      return;
    }
    ObjectNode data = Signals.toJson(new Signals.Candidate(c.sdp, c.sdpMid == null ? "" : c.sdpMid,
        c.sdpMLineIndex));
    safely("onSignal", () -> listener.onSignal(data));
  }

  void message(RTCDataChannelBuffer buffer) {
    // The buffer points into native memory that is freed when this callback returns: copy now.
    ByteBuffer data = buffer.data;
    byte[] copy = new byte[data.remaining()];
    data.get(copy);
    if (!closing.get()) {
      safely("onMessage", () -> listener.onMessage(copy));
    }
  }

  /** createOffer/createAnswer succeeded: set it as local description, then hand it to the listener. */
  private CreateSessionDescriptionObserver created() {
    return new CreateSessionDescriptionObserver() {
      @Override
      public void onSuccess(RTCSessionDescription description) {
        if (closing.get()) {
          return;
        }
        try {
          pc.setLocalDescription(description, applied(() -> {
            String type = description.sdpType == RTCSdpType.OFFER ? "offer" : "answer";
            ObjectNode data = Signals.toJson(new Signals.Description(type, description.sdp));
            safely("onSignal", () -> listener.onSignal(data));
          }));
        } catch (RuntimeException | Error e) {
          rethrowIfFatal(e);
          closeWith("could not set the local description: " + e.getMessage());
        }
      }

      @Override
      public void onFailure(String error) {
        closeWith("could not create the " + (role == Role.OFFERER ? "offer" : "answer") + ": " + error);
      }
    };
  }

  private SetSessionDescriptionObserver applied(Runnable next) {
    return new SetSessionDescriptionObserver() {
      @Override
      public void onSuccess() {
        if (!closing.get()) {
          try {
            next.run();
          } catch (RuntimeException | Error e) {
            rethrowIfFatal(e);
            // A native handle already gone (closed meanwhile) or a listener bug: never let it reach JNI.
            log.debug("after set description: {}", e.toString());
          }
        }
      }

      @Override
      public void onFailure(String error) {
        closeWith("session description rejected: " + error);
      }
    };
  }

  // --- teardown ----------------------------------------------------------------------------------------------

  /**
   * Marks the link closing at once (send() returns false from here on) and runs the native teardown on the
   * factory's thread: never on a native callback thread, where closing the peer connection would delete the
   * observer that is calling us.
   */
  private void closeWith(String reason) {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    openChannel = null;
    openTimer.cancel(false);
    try {
      factory.timers().execute(() -> teardown(reason));
    } catch (RejectedExecutionException e) {
      teardown(reason); // factory already shut down its thread: tear down here, we are not in a callback then
    }
  }

  private void teardown(String reason) {
    RTCDataChannel ch;
    synchronized (lock) {
      ch = channel;
      channel = null;
      pendingCandidates.clear();
      if (disconnectTimer != null) {
        disconnectTimer.cancel(false);
      }
    }
    if (ch != null) {
      quietly(ch::unregisterObserver);
      quietly(ch::close);
    }
    quietly(pc::close); // also deletes the native PeerConnectionObserver
    if (ch != null) {
      nativeGuard.writeLock().lock();
      try {
        // Throws if libwebrtc still holds a reference; the object is then freed with the connection.
        quietly(ch::dispose);
      } finally {
        nativeGuard.writeLock().unlock();
      }
    }
    // webrtc-java keeps a JNI global reference to a registered channel observer forever (unregister does not
    // delete it): cut the shim loose so it does not keep this link and its listener reachable.
    callbacks.link = null;
    factory.unregister(this);
    log.debug("link {} closed: {}", role, reason);
    safely("onClosed", () -> listener.onClosed(reason));
  }

  /**
   * webrtc-java reports native failures (unparseable SDP or candidate, a handle already released) as plain
   * {@code java.lang.Error}: those we catch like exceptions, but never the JVM's own errors.
   */
  static void rethrowIfFatal(Throwable t) {
    if (t instanceof VirtualMachineError) {
      throw (VirtualMachineError) t;
    }
  }

  private static void quietly(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException | Error e) {
      rethrowIfFatal(e);
      log.debug("teardown: {}", e.toString());
    }
  }

  /** Listener code must not throw into native code (JNI would report it and go on, or worse). */
  private void safely(String what, Runnable r) {
    try {
      r.run();
    } catch (RuntimeException | Error e) {
      rethrowIfFatal(e);
      log.warn("PeerLink listener {} threw", what, e);
    }
  }

  private static List<RTCIceServer> toNative(List<Message.IceServer> servers) {
    List<RTCIceServer> out = new ArrayList<>();
    for (Message.IceServer s : servers) {
      if (s == null || s.urls() == null || s.urls().isEmpty()) {
        continue;
      }
      RTCIceServer n = new RTCIceServer();
      n.urls = List.copyOf(s.urls());
      n.username = s.username();
      n.password = s.credential();
      out.add(n);
    }
    return out;
  }
}
