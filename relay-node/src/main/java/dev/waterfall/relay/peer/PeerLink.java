package dev.waterfall.relay.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCDataChannel;
import dev.onvoid.webrtc.RTCDataChannelBuffer;
import dev.onvoid.webrtc.RTCDataChannelInit;
import dev.onvoid.webrtc.RTCDataChannelState;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.waterfall.protocol.Message;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One tree edge: one RTCPeerConnection carrying one reliable, ordered DataChannel labelled {@value
 * #LABEL}. The child calls {@link #offer} (it creates the channel and the offer), the parent {@link
 * #answer} (it answers and receives the channel in-band). Signals go out through {@link
 * Listener#onSignal} and come back in through {@link #onRemoteSignal}, in the JSON shapes of {@link
 * Signals}, so the other end may as well be a browser.
 *
 * <h2>Threading</h2>
 *
 * Listener callbacks arrive on libwebrtc's signalling thread ({@code onSignal}, {@code onOpen},
 * {@code onMessage}) or on the factory's "peer-links" thread ({@code onBufferedAmountLow}, {@code
 * onClosed}); they may start before {@code offer}/{@code answer} has returned. Both threads are
 * shared by every link of the factory (one signalling thread carries all links' messages): a
 * listener must hand its work to its own executor or event loop and return, never block or do I/O
 * in a callback. The callbacks of one link never run concurrently with each other except {@code
 * onBufferedAmountLow}. {@code onClosed} comes exactly once, last: after it no other callback
 * arrives.
 *
 * <p>The methods of this class may be called from any thread. {@link #send}, {@link
 * #bufferedAmount} and {@link #onRemoteSignal} hop synchronously onto a libwebrtc thread:
 * microseconds on an idle machine, but on a CPU-starved one each hop waits for that thread to be
 * scheduled, so a hot path makes none: {@link #send} queues the message for the factory's sender
 * thread, and {@link #queuedEstimate} reads no native state. {@link #close} only schedules the
 * native teardown, so it is safe from inside a callback.
 *
 * <p>This is the one place the threading contract is written down; the package-private parts of a
 * link follow it: {@link Negotiation} (offer/answer, trickle-ICE queue), {@link ChannelSender}
 * (sends, and the guard on the native channel), {@link FlowControl} (the low-water mark), {@link
 * LinkTeardown} (timeouts and the once-only teardown), {@link NativeErrors} (what may cross JNI),
 * {@link LinkCallbacks} (the native observers).
 */
public final class PeerLink {

  private static final Logger log = LoggerFactory.getLogger(PeerLink.class);

  public static final String LABEL = "waterfall";

  /**
   * Default {@link #bufferedAmountLowThreshold()}: the browser's is 0; ours suits 64 KiB messages.
   */
  public static final long DEFAULT_LOW_THRESHOLD = 256 * 1024;

  /**
   * libwebrtc closes a DataChannel whose send queue passes 16 MiB; {@link #send} refuses to queue
   * beyond this instead, so an overeager sender loses a message rather than the whole edge.
   */
  public static final long MAX_BUFFERED = 15L * 1024 * 1024;

  /** Receives what a link reports; see the threading contract in {@link PeerLink}. */
  public interface Listener {
    /** Send {@code data} to the other end through the coordinator ({@code signal} message). */
    void onSignal(ObjectNode data);

    /** The DataChannel is open: {@link #send} works from now on. */
    void onOpen();

    /** One message, copied out of native memory: the array is the caller's to keep. */
    void onMessage(byte[] message);

    /**
     * {@link #bufferedAmount()} fell to {@link #bufferedAmountLowThreshold()} or below after being
     * above.
     */
    default void onBufferedAmountLow() {}

    /**
     * The link is over (ICE failed or stayed disconnected, the channel or connection was closed by
     * either side, the open timeout passed, or {@link #close} was called) and its native objects
     * are released.
     */
    void onClosed(String reason);
  }

  /** Child end (creates the channel and the offer) or parent end (answers). */
  public enum Role {
    OFFERER,
    ANSWERER
  }

  final Role role;
  final Listener listener;
  final LinkCallbacks callbacks;
  final FlowControl flow;
  final ChannelSender sender;
  final LinkTeardown teardown;
  final RTCPeerConnection pc;
  final Negotiation negotiation;
  private final PeerFactory factory;
  private final long createdNanos = System.nanoTime();

  private final Object lock = new Object();
  private RTCDataChannel channel; // guarded by lock; set once

  private final AtomicBoolean opened = new AtomicBoolean();
  private volatile long openNanos = -1;

  private PeerLink(
      PeerFactory factory, Role role, List<Message.IceServer> iceServers, Listener listener) {
    Objects.requireNonNull(factory, "factory");
    this.role = role;
    this.factory = factory;
    this.listener = Objects.requireNonNull(listener, "listener");
    // fails if closed
    dev.onvoid.webrtc.PeerConnectionFactory nativeFactory = factory.nativeFactory();
    RTCConfiguration config = IceConfiguration.of(iceServers, factory.settings().relayOnly());
    this.callbacks = new LinkCallbacks(this);
    this.flow =
        new FlowControl(
            factory,
            this::bufferedAmount,
            this::isClosing,
            () -> NativeErrors.safely("onBufferedAmountLow", listener::onBufferedAmountLow));
    this.sender = new ChannelSender(flow, factory.sends());
    this.teardown = new LinkTeardown(this, factory);
    try {
      this.pc = nativeFactory.createPeerConnection(config, callbacks);
    } catch (RuntimeException | Error e) {
      NativeErrors.rethrowIfFatal(e);
      teardown.cancelOpenTimer();
      // e.g. an ICE server URL libwebrtc does not accept
      throw new IllegalArgumentException(
          "could not create a peer connection: " + e.getMessage(), e);
    }
    this.negotiation =
        new Negotiation(
            pc,
            role,
            teardown,
            data -> NativeErrors.safely("onSignal", () -> listener.onSignal(data)));
    factory.register(this);
  }

  /**
   * The child end: creates the DataChannel and the offer, which arrives at {@link
   * Listener#onSignal}.
   */
  public static PeerLink offer(
      PeerFactory factory, List<Message.IceServer> iceServers, Listener listener) {
    PeerLink link = new PeerLink(factory, Role.OFFERER, iceServers, listener);
    try {
      // defaults: ordered, reliable, negotiated in-band
      RTCDataChannelInit init = new RTCDataChannelInit();
      RTCDataChannel ch = link.pc.createDataChannel(LABEL, init);
      link.adoptChannel(ch);
      link.negotiation.createOffer();
    } catch (RuntimeException | Error e) {
      NativeErrors.rethrowIfFatal(e);
      link.close();
      throw new IllegalStateException("could not start a WebRTC offer: " + e.getMessage(), e);
    }
    return link;
  }

  /** The parent end: waits for the child's offer through {@link #onRemoteSignal}. */
  public static PeerLink answer(
      PeerFactory factory, List<Message.IceServer> iceServers, Listener listener) {
    return new PeerLink(factory, Role.ANSWERER, iceServers, listener);
  }

  public Role role() {
    return role;
  }

  /**
   * Applies a signal from the other end: its description, or one trickled candidate (queued until
   * the remote description is applied). Signals arriving after the link closed are ignored.
   *
   * @throws IllegalArgumentException if {@code data} is malformed or not expected here (an answer
   *     at the answering end, a second description, SDP or a candidate libwebrtc cannot parse); the
   *     link is left as it was. Nothing else is thrown.
   */
  public void onRemoteSignal(JsonNode data) {
    Signals.Signal signal = Signals.parse(data);
    if (teardown.isClosing()) {
      return;
    }
    negotiation.apply(signal);
  }

  /**
   * Sends exactly {@code message} as one binary message.
   *
   * @return false if it was not queued: the channel is not open (yet or any more), or queueing it
   *     would pass {@link #MAX_BUFFERED}. Flow control ({@link #bufferedAmount()}, {@link
   *     Listener#onBufferedAmountLow}) should keep a sender far below that.
   */
  public boolean send(byte[] message) {
    return sender.send(message);
  }

  /**
   * Bytes queued (for the sender thread, or in the channel) and not yet sent; 0 when not open. A
   * synchronous hop onto libwebrtc's thread.
   */
  public long bufferedAmount() {
    return sender.bufferedAmount();
  }

  /**
   * {@link #bufferedAmount()} as last read, plus the bytes sent since, without asking libwebrtc:
   * for a sender's per-message checks, which must not block on libwebrtc's thread. An upper bound,
   * re-read while the queue is above {@link #bufferedAmountLowThreshold()}; 0 when not open.
   */
  public long queuedEstimate() {
    return sender.queuedEstimate();
  }

  public long bufferedAmountLowThreshold() {
    return flow.lowThreshold();
  }

  /**
   * Like the browser's {@code bufferedAmountLowThreshold}: {@link Listener#onBufferedAmountLow}
   * fires at it.
   */
  public void setBufferedAmountLowThreshold(long bytes) {
    flow.setLowThreshold(bytes);
  }

  public boolean isOpen() {
    return sender.isOpen();
  }

  /** Milliseconds from creation until the channel opened, or -1 if it has not. */
  public long openMillis() {
    long n = openNanos;
    return n < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(n - createdNanos);
  }

  /**
   * Asks libwebrtc which candidate pair carries this link; {@code answer} gets it on a libwebrtc
   * thread (or the factory's), null while none is selected or once the link is closing. Asked on
   * the factory's thread, where the teardown runs too, so the native connection cannot be closed
   * under the call.
   */
  public void candidatePair(java.util.function.Consumer<CandidatePair> answer) {
    Runnable ask =
        () -> {
          if (teardown.isClosing()) {
            answer.accept(null);
            return;
          }
          try {
            pc.getStats(
                report ->
                    NativeErrors.safely(
                        "candidatePair", () -> answer.accept(CandidatePair.of(report.getStats()))));
          } catch (RuntimeException | Error e) {
            NativeErrors.rethrowIfFatal(e);
            answer.accept(null);
          }
        };
    try {
      factory.timers().execute(ask);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      answer.accept(null); // the factory is closing, and this link with it
    }
  }

  /**
   * Closes the link; {@link Listener#onClosed} follows with "closed locally". Idempotent; never
   * blocks.
   */
  public void close() {
    teardown.closeWith("closed locally");
  }

  private boolean isClosing() {
    return teardown.isClosing();
  }

  // --- native events (from LinkCallbacks)
  // --------------------------------------------------------------------

  void adoptChannel(RTCDataChannel ch) {
    synchronized (lock) {
      if (channel != null || teardown.isClosing()) {
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

  /** For the teardown: the channel, which no one else gets from now on; null if there was none. */
  RTCDataChannel detachChannel() {
    synchronized (lock) {
      RTCDataChannel ch = channel;
      channel = null;
      return ch;
    }
  }

  void channelStateChanged() {
    RTCDataChannel ch;
    synchronized (lock) {
      ch = channel;
    }
    if (ch == null || teardown.isClosing()) {
      return;
    }
    RTCDataChannelState state = ch.getState();
    if (state == RTCDataChannelState.OPEN) {
      if (opened.compareAndSet(false, true)) {
        openNanos = System.nanoTime();
        teardown.cancelOpenTimer();
        sender.open(ch);
        if (teardown.isClosing()) {
          sender.stop(); // closed meanwhile: closeWith may have missed the channel
          return;
        }
        NativeErrors.safely("onOpen", listener::onOpen);
      }
    } else if (state == RTCDataChannelState.CLOSING || state == RTCDataChannelState.CLOSED) {
      teardown.closeWith(
          opened.get() ? "data channel closed" : "data channel closed before it opened");
    }
  }

  void connectionStateChanged(RTCPeerConnectionState state) {
    if (state == RTCPeerConnectionState.FAILED) {
      teardown.closeWith("ICE failed");
    } else if (state == RTCPeerConnectionState.CLOSED) {
      teardown.closeWith("peer connection closed");
    } else if (state == RTCPeerConnectionState.DISCONNECTED) {
      teardown.disconnected();
    } else if (state == RTCPeerConnectionState.CONNECTED) {
      teardown.connected();
    }
  }

  void localCandidate(RTCIceCandidate c) {
    if (teardown.isClosing()) {
      return;
    }
    ObjectNode data =
        Signals.toJson(
            new Signals.Candidate(c.sdp, c.sdpMid == null ? "" : c.sdpMid, c.sdpMLineIndex));
    NativeErrors.safely("onSignal", () -> listener.onSignal(data));
  }

  void message(RTCDataChannelBuffer buffer) {
    // The buffer points into native memory that is freed when this callback returns: copy now.
    ByteBuffer data = buffer.data;
    byte[] copy = new byte[data.remaining()];
    data.get(copy);
    if (!teardown.isClosing()) {
      NativeErrors.safely("onMessage", () -> listener.onMessage(copy));
    }
  }
}
