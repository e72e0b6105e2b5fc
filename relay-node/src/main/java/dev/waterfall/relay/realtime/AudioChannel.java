package dev.waterfall.relay.realtime;

import dev.onvoid.webrtc.RTCDataChannel;
import dev.onvoid.webrtc.RTCDataChannelBuffer;
import dev.onvoid.webrtc.RTCDataChannelInit;
import dev.onvoid.webrtc.RTCDataChannelObserver;
import dev.onvoid.webrtc.RTCDataChannelState;
import dev.onvoid.webrtc.RTCPeerConnection;
import io.vertx.core.Context;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;

/**
 * One end of a realtime edge's {@value #LABEL} DataChannel, which carries audio as encoded chunks
 * ({@link AudioChunk}) wherever a booster is at either end. The child end creates it with its
 * offer: ordered, no retransmissions (a lost 20 ms chunk is a click; a retransmitted one arrives
 * too late to play and delays the next). Messages are copied in the native callback and handed over
 * on the node's context. Sends are queued from there and made on the factory's sender thread: each
 * native call is a blocking hop onto libwebrtc's network thread, and on a CPU-starved machine 50
 * chunks a second per child blocked the node's context long enough for its heartbeats to stop.
 * {@link #close} and {@link #dispose} run in the edge's teardown, after the edge stopped using it.
 */
final class AudioChannel implements AudioChunkRelay.Sink {
  static final String LABEL = "rt-audio";

  /** The observer native code holds (webrtc-java never frees it): it lets go of us on close. */
  private static final class Shim implements RTCDataChannelObserver {
    volatile Consumer<byte[]> target;
    volatile AudioChannel owner;

    @Override
    public void onBufferedAmountChange(long previousAmount) {}

    @Override
    public void onStateChange() {
      AudioChannel o = owner;
      if (o != null) {
        o.open = o.channel.getState() == RTCDataChannelState.OPEN; // on libwebrtc's thread: no hop
      }
    }

    @Override
    public void onMessage(RTCDataChannelBuffer buffer) {
      Consumer<byte[]> t = target;
      if (t == null) {
        return;
      }
      ByteBuffer data = buffer.data; // native memory, freed when this returns: copy now
      if (data.remaining() > AudioChunk.MAX_MESSAGE) {
        // counted as oversized without copying it all
        t.accept(new byte[AudioChunk.MAX_MESSAGE + 1]);
        return;
      }
      byte[] copy = new byte[data.remaining()];
      data.get(copy);
      t.accept(copy);
    }
  }

  private final RTCDataChannel channel;
  private final Shim shim = new Shim();
  private volatile boolean closed;

  /**
   * The channel's state and unsent bytes, cached: each native call on a channel is a blocking hop
   * to libwebrtc's network thread, and at 50 chunks a second per child those hops were most of a
   * booster's audio cost.
   */
  private volatile boolean open;

  private final Executor sends;

  /** Bytes queued for the sender thread and not yet handed to libwebrtc. */
  private final AtomicLong pending = new AtomicLong();

  /**
   * libwebrtc's bufferedAmount, read on the sender thread every 8th send, or every send while not
   * 0.
   */
  private volatile long buffered;

  private int sendsSinceRead; // sender thread only

  /** A queued send never touches the channel once {@link #dispose} has freed it. */
  private final ReentrantReadWriteLock nativeGuard = new ReentrantReadWriteLock();

  private AudioChannel(
      RTCDataChannel channel, Context context, Executor sends, Consumer<byte[]> onMessage) {
    this.channel = channel;
    this.sends = sends;
    shim.target =
        onMessage == null
            ? null
            : m ->
                context.runOnContext(
                    v -> {
                      if (!closed) {
                        onMessage.accept(m);
                      }
                    });
    shim.owner = this;
    channel.registerObserver(shim);
    open = channel.getState() == RTCDataChannelState.OPEN; // an adopted channel may be open already
  }

  /** The child end: a new channel on {@code pc}, before its offer. */
  static AudioChannel create(
      RTCPeerConnection pc, Context context, Executor sends, Consumer<byte[]> onMessage) {
    RTCDataChannelInit init = new RTCDataChannelInit();
    init.ordered = true;
    init.maxRetransmits = 0;
    return new AudioChannel(pc.createDataChannel(LABEL, init), context, sends, onMessage);
  }

  /** The parent end: the channel the child opened (we only send on it). */
  static AudioChannel adopt(RTCDataChannel channel, Context context, Executor sends) {
    return new AudioChannel(channel, context, sends, null);
  }

  @Override
  public boolean isOpen() {
    return !closed && open;
  }

  /**
   * What is queued for the sender thread, plus libwebrtc's unsent bytes as last read there (no
   * native call).
   */
  @Override
  public long bufferedAmount() {
    return closed ? 0 : pending.get() + buffered;
  }

  @Override
  public void send(byte[] message) {
    pending.addAndGet(message.length);
    try {
      sends.execute(() -> deliver(message));
    } catch (RejectedExecutionException e) {
      pending.addAndGet(-message.length); // the factory is closing
    }
  }

  /** On the sender thread. */
  private void deliver(byte[] message) {
    if (closed || !nativeGuard.readLock().tryLock()) {
      pending.addAndGet(-message.length);
      return;
    }
    try {
      pending.addAndGet(-message.length);
      // webrtc-java 0.14.0 sends a heap buffer's whole backing array: wrap exactly the message.
      channel.send(new RTCDataChannelBuffer(ByteBuffer.wrap(message), true));
      if (buffered > 0 || ++sendsSinceRead >= 8) {
        buffered = channel.getBufferedAmount();
        sendsSinceRead = 0;
      }
    } catch (Exception | Error e) {
      if (e instanceof VirtualMachineError fatal) {
        throw fatal;
      }
      // a closing channel: the chunk is lost, as a lost packet would be
    } finally {
      nativeGuard.readLock().unlock();
    }
  }

  /** Stops delivering and closes the channel; call before closing the connection. */
  void close() {
    closed = true;
    shim.target = null;
    shim.owner = null;
    quietly(channel::unregisterObserver);
    quietly(channel::close);
  }

  /** Frees the native channel; call after closing the connection. */
  void dispose() {
    nativeGuard.writeLock().lock();
    try {
      quietly(channel::dispose);
    } finally {
      nativeGuard.writeLock().unlock();
    }
  }

  private static void quietly(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException | Error e) {
      if (e instanceof VirtualMachineError fatal) {
        throw fatal;
      }
      // webrtc-java reports a handle already released as a plain Error: closed or freed with its
      // connection
    }
  }
}
