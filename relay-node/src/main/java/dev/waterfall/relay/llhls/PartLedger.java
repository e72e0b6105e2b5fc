package dev.waterfall.relay.llhls;

import dev.waterfall.relay.segment.VerificationException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A node's LL-HLS parts as the tree delivers them: the signed init and part headers and their
 * chunks, verified on the way in (the only place that verifies), keyed by part id. Each part that
 * completes in order goes on to the {@link PartStore} that {@link LlHlsServer} serves, so every
 * relay's /ll/ playlist is rendered from what it verified itself. A missing part holds the playlist
 * back (the gap filler fetches it over HTTP) until {@link #SKIP_AFTER_MS}; then the playlist
 * resumes at the next segment held whole from its start. Thread-safe (the origin's source thread
 * adds, the node's context forwards and heals, HTTP reads).
 */
public final class PartLedger {

  public enum Result {
    STORED,
    DUPLICATE,
    /**
     * Before the init segment is held, or signed for another one: dropped, not the sender's fault.
     */
    NO_INIT,
    TOO_OLD,
    UNKNOWN,
    REJECTED
  }

  /** A hole in the parts holds the playlist at most this long. */
  static final long SKIP_AFTER_MS = 6000;

  /** Parts kept beside those the PartStore lists: 7 segments of up to 8 parts, with room. */
  static final int MAX_HELD = 96;

  private final PartVerifier verifier;
  private final PartStore out;
  private final TreeMap<Long, Held> parts = new TreeMap<>();
  private SignedInit init;
  private byte[] initSha256;
  private long nextToPublish = -1;
  private long stuckSince = -1;
  private long rejected;

  public PartLedger(PartVerifier verifier, PartStore out) {
    this.verifier = verifier;
    this.out = out;
  }

  public PartStore store() {
    return out;
  }

  private static final class Held {
    final SignedPart signed;
    final byte[][] chunks;
    final long headerAt;
    int have;

    Held(SignedPart signed, long headerAt) {
      this.signed = signed;
      this.chunks = new byte[signed.header().chunkCount()][];
      this.headerAt = headerAt;
    }

    boolean complete() {
      return have == chunks.length;
    }

    byte[] bytes() {
      ByteArrayOutputStream b = new ByteArrayOutputStream(signed.header().byteLength());
      for (byte[] c : chunks) {
        b.writeBytes(c);
      }
      return b.toByteArray();
    }
  }

  public synchronized Result addInit(SignedInit signed) {
    if (init != null && init.equals(signed)) {
      return Result.DUPLICATE;
    }
    try {
      verifier.verify(signed);
    } catch (VerificationException e) {
      rejected++;
      return Result.REJECTED;
    }
    init = signed;
    initSha256 = signed.sha256();
    out.setInit(signed.init());
    return Result.STORED;
  }

  public synchronized Result addHeader(SignedPart signed, long now) {
    long id = signed.partId();
    if (parts.containsKey(id)) {
      return Result.DUPLICATE;
    }
    if (initSha256 == null) {
      return Result.NO_INIT;
    }
    if (nextToPublish >= 0 && id < nextToPublish || id < out.snapshot().firstPartId() - 1) {
      return Result.TOO_OLD;
    }
    try {
      verifier.verify(signed, initSha256);
    } catch (VerificationException e) {
      if (!signed.header().initIs(initSha256)) {
        return Result.NO_INIT; // well signed, for an init segment we do not hold
      }
      rejected++;
      return Result.REJECTED;
    }
    parts.put(id, new Held(signed, now));
    while (parts.size() > MAX_HELD) {
      parts.pollFirstEntry();
    }
    return Result.STORED;
  }

  public synchronized Result addChunk(long partId, int index, byte[] payload) {
    Held h = parts.get(partId);
    if (h == null) {
      return Result.UNKNOWN;
    }
    if (index >= 0 && index < h.chunks.length && h.chunks[index] != null) {
      return Result.DUPLICATE;
    }
    try {
      verifier.verifyChunk(h.signed.header(), index, ByteBuffer.wrap(payload));
    } catch (VerificationException e) {
      rejected++;
      return Result.REJECTED;
    }
    h.chunks[index] = payload.clone();
    h.have++;
    if (h.complete()) {
      publish();
    }
    return Result.STORED;
  }

  /** Hands complete parts, in order, to the store; starts at a segment's first part. */
  private void publish() {
    if (nextToPublish < 0) {
      for (Held h : parts.values()) {
        if (h.complete() && h.signed.header().index() == 0) {
          nextToPublish = h.signed.partId();
          break;
        }
      }
      if (nextToPublish < 0) {
        return;
      }
    }
    Held h;
    while ((h = parts.get(nextToPublish)) != null && h.complete()) {
      PartHeader p = h.signed.header();
      out.put(
          new LlPart(p.partId(), p.msn(), p.index(), h.bytes(), p.seconds(), p.independent()),
          p.producedAtMillis() - p.durationMicros() / 1000);
      nextToPublish++;
      stuckSince = -1;
    }
    long oldest = out.snapshot().firstPartId();
    parts.headMap(Math.min(oldest, nextToPublish)).clear();
  }

  /**
   * Gives up on a hole held {@link #SKIP_AFTER_MS}: the playlist goes on at the next segment held
   * whole from its start.
   */
  public synchronized void tick(long now) {
    if (nextToPublish < 0 || parts.isEmpty() || parts.lastKey() < nextToPublish) {
      stuckSince = -1;
      return;
    }
    if (stuckSince < 0) {
      stuckSince = now;
      return;
    }
    if (now - stuckSince < SKIP_AFTER_MS) {
      return;
    }
    for (Held h : parts.tailMap(nextToPublish, false).values()) {
      if (h.complete() && h.signed.header().index() == 0) {
        nextToPublish = h.signed.partId();
        stuckSince = -1;
        publish();
        return;
      }
    }
  }

  public synchronized boolean hasInit() {
    return init != null;
  }

  public synchronized long rejected() {
    return rejected;
  }

  /** The newest part id whose header is held, or -1. */
  public synchronized long newestId() {
    return parts.isEmpty() ? -1 : parts.lastKey();
  }

  /** The next part the playlist waits for (-1 before the first segment start). */
  public synchronized long nextToPublish() {
    return nextToPublish;
  }

  /** Parts whose header came at least {@code ageMs} ago and still lack chunks. */
  public synchronized List<Long> incomplete(long now, long ageMs) {
    List<Long> ids = new ArrayList<>();
    for (Map.Entry<Long, Held> e : parts.entrySet()) {
      if (!e.getValue().complete() && now - e.getValue().headerAt >= ageMs) {
        ids.add(e.getKey());
      }
    }
    return ids;
  }

  /**
   * Part ids never heard of though a later part's header came at least {@code ageMs} ago (a hole
   * the parent skipped), from the one the playlist waits for on.
   */
  public synchronized List<Long> holes(long now, long ageMs) {
    List<Long> ids = new ArrayList<>();
    if (parts.isEmpty()) {
      return ids;
    }
    long from = nextToPublish >= 0 ? nextToPublish : parts.firstKey();
    for (long id = from; id < parts.lastKey() && ids.size() < 16; id++) {
      if (!parts.containsKey(id)) {
        Map.Entry<Long, Held> later = parts.higherEntry(id);
        if (later != null && now - later.getValue().headerAt >= ageMs) {
          ids.add(id);
        }
      }
    }
    return ids;
  }

  /** The INIT frame, for a child or an HTTP fetcher. */
  public synchronized Optional<byte[]> initFrame() {
    return init == null ? Optional.empty() : Optional.of(PartFrame.encode(init));
  }

  /** Part {@code id}'s PART_HEADER frame, while its header is held. */
  public synchronized Optional<byte[]> headerFrame(long id) {
    Held h = parts.get(id);
    if (h == null) {
      // published and pruned from the ledger: gone for HTTP too
      return Optional.empty();
    }
    return Optional.of(PartFrame.encode(h.signed));
  }

  /** The PART_CHUNK frames of part {@code id} held now. */
  public synchronized List<byte[]> chunkFrames(long id) {
    Held h = parts.get(id);
    List<byte[]> frames = new ArrayList<>();
    if (h != null) {
      for (int i = 0; i < h.chunks.length; i++) {
        if (h.chunks[i] != null) {
          frames.add(PartFrame.chunk(id, i, h.chunks[i], 0, h.chunks[i].length));
        }
      }
    }
    return frames;
  }

  /**
   * What a child that just asked for parts gets: the init, then every part from the start of the
   * segment before the newest one's, so it can start a playlist at once.
   */
  public synchronized List<byte[]> backlog() {
    List<byte[]> frames = new ArrayList<>();
    if (init == null) {
      return frames;
    }
    frames.add(PartFrame.encode(init));
    List<Long> starts = new ArrayList<>();
    parts.forEach(
        (id, h) -> {
          if (h.signed.header().index() == 0) {
            starts.add(id);
          }
        });
    long from = starts.isEmpty() ? Long.MAX_VALUE : starts.get(Math.max(0, starts.size() - 2));
    for (Map.Entry<Long, Held> e : parts.tailMap(from, true).entrySet()) {
      frames.add(PartFrame.encode(e.getValue().signed));
      frames.addAll(chunkFrames(e.getKey()));
    }
    return frames;
  }
}
