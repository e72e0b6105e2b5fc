package dev.waterfall.relay.realtime;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A booster's audio: the encoded chunks its parent sends on the {@code rt-audio} DataChannel,
 * forwarded as they are to every child's {@code rt-audio} channel. Nothing is decoded
 * (docs/architecture.md "Realtime mode": a received audio track cannot be put on a sender in
 * webrtc-java 0.14.0). Each message is checked ({@link AudioChunk#decode}); a bad one is counted,
 * logged and dropped, and nobody else notices. Each child has a small queue: while its channel is
 * not open or holds more than {@value #MAX_BUFFERED} bytes unsent, chunks wait there, and when the
 * queue is full its oldest chunk is dropped (late audio is worth nothing live), so a slow child
 * costs only itself. Not thread-safe: the relay calls it on its context.
 */
public final class AudioChunkRelay {
  private static final Logger LOG = LoggerFactory.getLogger(AudioChunkRelay.class);

  /** 10 chunks of 20 ms: what a child may fall behind before its oldest chunks go. */
  static final int QUEUE_CHUNKS = 10;

  /**
   * Unsent bytes in a child's channel above which we stop handing it more (~50 chunks at 48 kbps).
   */
  static final long MAX_BUFFERED = 16 * 1024;

  private static final int LOGGED_REJECTS = 5;
  private static final int LAG_SAMPLES = 250;

  /** Where a child's chunks go: its end of an {@code rt-audio} channel. */
  interface Sink {
    boolean isOpen();

    long bufferedAmount();

    void send(byte[] message) throws Exception;
  }

  private static final class Child {
    final String id;
    final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    long dropped;

    Child(String id) {
      this.id = id;
    }
  }

  private final Map<Sink, Child> children = new LinkedHashMap<>();
  private final LongSupplier clock;
  // Written on the relay's context only; volatile so that stats and tests may read them anywhere.
  private volatile long received;
  private volatile long malformed;
  private volatile long forwarded;
  private volatile long dropped;

  /** Encode-to-arrival ms of the last {@value #LAG_SAMPLES} chunks, a ring; guarded by itself. */
  private final long[] lags = new long[LAG_SAMPLES];

  public AudioChunkRelay() {
    this(System::currentTimeMillis);
  }

  /** {@code clock}: wall-clock ms, to compare with the chunks' encodedAt. */
  AudioChunkRelay(LongSupplier clock) {
    this.clock = clock;
  }

  /** A child's channel opened (or is opening): it gets every chunk from now on. */
  public void addChild(String id, Sink sink) {
    children.put(sink, new Child(id));
  }

  public void removeChild(Sink sink) {
    children.remove(sink);
  }

  /**
   * One message from the parent: checked, then queued for every child and sent as far as each can
   * take.
   */
  public void fromParent(byte[] message) {
    AudioChunk chunk;
    try {
      chunk = AudioChunk.decode(message);
    } catch (AudioChunk.Rejected e) {
      malformed++;
      if (malformed <= LOGGED_REJECTS || Long.bitCount(malformed) == 1) {
        LOG.warn(
            "dropped a malformed audio message from the parent ({} so far): {}",
            malformed,
            e.getMessage());
      }
      return;
    }
    synchronized (lags) {
      lags[(int) (received % LAG_SAMPLES)] = clock.getAsLong() - chunk.encodedAtMillis();
    }
    received++;
    for (Map.Entry<Sink, Child> e : children.entrySet()) {
      Child c = e.getValue();
      if (c.queue.size() == QUEUE_CHUNKS) {
        c.queue.poll();
        c.dropped++;
        dropped++;
      }
      c.queue.add(message);
    }
    drain();
  }

  /** Sends what each child's channel can take now. */
  public void drain() {
    List<Sink> failed = new ArrayList<>();
    for (Map.Entry<Sink, Child> e : children.entrySet()) {
      Sink sink = e.getKey();
      Child c = e.getValue();
      try {
        while (!c.queue.isEmpty()
            && sink.isOpen()
            && sink.bufferedAmount() + c.queue.peek().length <= MAX_BUFFERED) {
          sink.send(c.queue.poll());
          forwarded++;
        }
      } catch (Exception | Error x) {
        LOG.debug("audio to child {} failed: {}", c.id, x.toString());
        failed.add(sink); // its edge closes on its own; until then it gets nothing more
      }
    }
    failed.forEach(children::remove);
  }

  /** Valid chunks received from the parent. */
  public long received() {
    return received;
  }

  /** Messages from the parent dropped as not a valid chunk. */
  public long malformed() {
    return malformed;
  }

  /** Chunk messages handed to children's channels. */
  public long forwarded() {
    return forwarded;
  }

  /** Chunks a child's full queue lost (all children, including those gone). */
  public long dropped() {
    return dropped;
  }

  /** Children whose audio channel arrived. */
  public int children() {
    return children.size();
  }

  /**
   * Median ms from a chunk's encoding to its arrival here, over the last {@value #LAG_SAMPLES}
   * chunks (null before any). Across machines it includes their clock offset: an estimate, exact
   * where both share one clock.
   */
  public Long medianLagMillis() {
    long[] copy;
    synchronized (lags) {
      copy = Arrays.copyOf(lags, (int) Math.min(received, LAG_SAMPLES));
    }
    if (copy.length == 0) {
      return null;
    }
    Arrays.sort(copy);
    return copy[copy.length / 2];
  }
}
