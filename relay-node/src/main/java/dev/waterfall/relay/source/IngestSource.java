package dev.waterfall.relay.source;

import dev.waterfall.protocol.LogAddresses;
import dev.waterfall.relay.key.PublishKey;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Segments pushed by any encoder that writes HLS over HTTP, e.g. {@code ffmpeg ... -f hls -method
 * PUT -headers "Authorization: Bearer KEY\r\n" http://host/ingest/demo/index.m3u8}. {@link
 * IngestEndpoint} takes the PUTs; this class turns them into {@link MediaSegment}s.
 *
 * <p>A segment is published when a playlist lists it and its bytes are in, in playlist order
 * (ffmpeg may list a segment a moment before its upload completes; then it follows as soon as it
 * does). Numbering is this origin's own counter, not the encoder's, so it keeps growing when the
 * encoder restarts (its counter and file names start over): the first segment after such a restart
 * carries a discontinuity, since its timestamps start over too. Memory stays bounded: at most
 * {@link #MAX_PENDING_UPLOADS} uploads wait for a playlist and {@link #MAX_READY} segments for
 * {@link #next}; beyond that the oldest are dropped.
 *
 * <p>Thread-safe: uploads arrive on a Vert.x event loop, {@link #next} blocks on the caller's
 * thread.
 */
public final class IngestSource implements SegmentSource {

  private static final Logger log = LoggerFactory.getLogger(IngestSource.class);

  public static final String PREFIX = "/ingest/";
  public static final long DEFAULT_MAX_UPLOAD_BYTES = 32L << 20;
  public static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofSeconds(1);
  static final int MAX_PENDING_UPLOADS = 16;
  static final int MAX_READY = 32;

  /**
   * Names of published segments remembered, to recognise an encoder that starts over with the same
   * names.
   */
  private static final int MAX_REMEMBERED = 256;

  private static final int MAX_SEGMENT_MILLIS = 60_000;

  private final String stream;
  private volatile PublishKey key;
  private final long maxUploadBytes;
  private final Duration pollTimeout;
  private final Object lock = new Object();

  /**
   * Name to its latest upload; published ones stay as tombstones (bytes dropped). Guarded by lock.
   */
  private final LinkedHashMap<String, Upload> uploads = new LinkedHashMap<>();

  private final ArrayDeque<MediaSegment> ready = new ArrayDeque<>();
  private MediaPlaylist playlist;
  private long nextSequence;
  private long discontinuitySequence;
  private boolean publishedAny;
  private boolean restartPending;
  private boolean finished;
  private boolean closed;
  private final LongAdder segmentsPublished = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder refused = new LongAdder();

  private static final class Upload {
    byte[] bytes;
    boolean published;

    Upload(byte[] bytes) {
      this.bytes = bytes;
    }
  }

  /**
   * @param firstSequence the first media sequence published; an origin that restarts should start
   *     above what it published before (e.g. from the wall clock), because relays drop lower
   *     numbers as old
   * @param maxUploadBytes larger uploads are refused (413)
   * @param pollTimeout how long {@link #next()} waits for a segment before returning empty
   */
  public IngestSource(
      String stream,
      String publishKey,
      long firstSequence,
      long maxUploadBytes,
      Duration pollTimeout) {
    if (stream == null || stream.isEmpty()) {
      throw new IllegalArgumentException("a stream name is required");
    }
    if (publishKey == null || publishKey.isBlank()) {
      throw new IllegalArgumentException("a publish key is required for HTTP ingest");
    }
    if (firstSequence < 0 || maxUploadBytes < 1) {
      throw new IllegalArgumentException("firstSequence must be >= 0 and maxUploadBytes > 0");
    }
    this.stream = stream;
    this.key = new PublishKey(publishKey);
    this.maxUploadBytes = maxUploadBytes;
    this.pollTimeout = pollTimeout;
    this.nextSequence = firstSequence;
  }

  public IngestSource(String stream, String publishKey, long firstSequence) {
    this(stream, publishKey, firstSequence, DEFAULT_MAX_UPLOAD_BYTES, DEFAULT_POLL_TIMEOUT);
  }

  /** Takes {@code PUT/POST/DELETE /ingest/<stream>/<name>} on this router. */
  public IngestSource mount(Router router) {
    return mount(router, LogAddresses.of(false));
  }

  /** As {@link #mount(Router)}, naming refused uploaders in logs as {@code addresses} says. */
  public IngestSource mount(Router router, LogAddresses addresses) {
    new IngestEndpoint(this, addresses).mount(router);
    return this;
  }

  public String stream() {
    return stream;
  }

  /** The URL path an encoder writes its playlist to: {@code /ingest/<stream>/index.m3u8}. */
  public String playlistPath() {
    return PREFIX + stream + "/index.m3u8";
  }

  long maxUploadBytes() {
    return maxUploadBytes;
  }

  /**
   * Compares in constant time, by hash, so neither the key's bytes nor its length leak through
   * timing.
   */
  boolean authorized(String authorization) {
    if (authorization == null) {
      return false;
    }
    String value = authorization.strip();
    if (!value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    return key.matches(value.substring(7).strip());
  }

  /**
   * Checks uploads against {@code current} from now on: the origin's key, which follows the
   * coordinator's rotations.
   */
  public IngestSource followKey(PublishKey current) {
    this.key = current;
    return this;
  }

  /** A segment file arrived whole. */
  void segmentUploaded(String name, byte[] bytes) {
    synchronized (lock) {
      Upload previous = uploads.remove(name);
      if (previous != null && previous.published) {
        // The same name again: the encoder started over (ffmpeg numbers its files from 0 on every
        // start).
        encoderRestarted("re-upload of " + name);
      }
      uploads.put(name, new Upload(bytes));
      bound();
      publishListed();
    }
  }

  /** A playlist arrived; throws {@link PlaylistFormatException} if it is not one. */
  void playlistUploaded(String text) {
    MediaPlaylist parsed = PlaylistParser.parse(text);
    synchronized (lock) {
      if (playlist != null
          && (parsed.mediaSequence() < playlist.mediaSequence() || playlist.endList())) {
        encoderRestarted(
            "playlist sequence " + playlist.mediaSequence() + " -> " + parsed.mediaSequence());
      }
      playlist = parsed;
      publishListed();
    }
  }

  /** The encoder deleted a file it no longer lists. */
  void deleted(String name) {
    synchronized (lock) {
      uploads.remove(name);
    }
  }

  /**
   * Old names and the old playlist mean nothing after a restart: the new encoder reuses the names
   * for new segments, so nothing is published until its own playlist lists them.
   */
  private void encoderRestarted(String why) {
    log.info("stream {}: the encoder started over ({})", stream, why);
    uploads.values().removeIf(u -> u.published);
    playlist = null;
    restartPending = true;
  }

  /** Publishes, in playlist order, listed segments whose bytes are in. Under lock. */
  private void publishListed() {
    if (playlist == null) {
      return;
    }
    List<MediaPlaylist.Entry> entries = playlist.entries();
    int lastPublished = -1;
    for (int i = 0; i < entries.size(); i++) {
      Upload upload = uploads.get(entries.get(i).uri());
      if (upload != null && upload.published) {
        // what came before it and never arrived is given up: publishing it now would reorder
        lastPublished = i;
      }
    }
    for (int i = lastPublished + 1; i < entries.size(); i++) {
      MediaPlaylist.Entry entry = entries.get(i);
      Upload upload = uploads.get(entry.uri());
      if (upload == null) {
        if (laterArrived(entries, i)) {
          continue; // lost: a later segment finished uploading before it
        }
        break; // listed a moment before its upload completes (ffmpeg does that): wait for it
      }
      publish(entry, upload);
    }
  }

  private boolean laterArrived(List<MediaPlaylist.Entry> entries, int from) {
    for (int i = from + 1; i < entries.size(); i++) {
      if (uploads.containsKey(entries.get(i).uri())) {
        return true;
      }
    }
    return false;
  }

  private void publish(MediaPlaylist.Entry entry, Upload upload) {
    byte[] bytes = upload.bytes;
    upload.bytes = null;
    upload.published = true;
    if (bytes == null || bytes.length == 0) {
      return;
    }
    boolean discontinuity = entry.discontinuity() || (restartPending && publishedAny);
    if (discontinuity) {
      discontinuitySequence++;
    }
    int millis = Math.max(1, Math.min(MAX_SEGMENT_MILLIS, entry.durationMillis()));
    ready.addLast(
        new MediaSegment(nextSequence++, bytes, millis, discontinuity, discontinuitySequence));
    publishedAny = true;
    restartPending = false;
    segmentsPublished.increment();
    while (ready.size() > MAX_READY) {
      MediaSegment old = ready.removeFirst();
      dropped.increment();
      log.warn("stream {}: segment {} dropped, nobody took it", stream, old.sequence());
    }
    lock.notifyAll();
  }

  /**
   * Keeps at most {@link #MAX_PENDING_UPLOADS} unpublished uploads and {@link #MAX_REMEMBERED}
   * names. Under lock.
   */
  private void bound() {
    int pending = 0;
    for (Upload u : uploads.values()) {
      pending += u.published ? 0 : 1;
    }
    Iterator<Map.Entry<String, Upload>> it = uploads.entrySet().iterator();
    while ((pending > MAX_PENDING_UPLOADS || uploads.size() > MAX_REMEMBERED) && it.hasNext()) {
      Map.Entry<String, Upload> oldest = it.next();
      if (!oldest.getValue().published && pending > MAX_PENDING_UPLOADS) {
        pending--;
        dropped.increment();
        log.warn("stream {}: upload {} dropped, no playlist listed it", stream, oldest.getKey());
        it.remove();
      } else if (oldest.getValue().published) {
        it.remove();
      }
    }
  }

  /**
   * Waits up to the poll timeout given at construction; empty when none came (see {@link
   * #ended()}).
   */
  @Override
  public Optional<MediaSegment> next() {
    return next(pollTimeout);
  }

  /**
   * The next segment, waiting up to {@code timeout}; empty on timeout, on interrupt, or once
   * closed. Once finished and drained it still waits out the timeout, so a loop that does not check
   * {@link #ended()} idles instead of spinning.
   */
  public Optional<MediaSegment> next(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (ready.isEmpty() && !closed) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return Optional.empty();
        }
        try {
          lock.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return Optional.empty();
        }
      }
      return closed ? Optional.empty() : Optional.ofNullable(ready.pollFirst());
    }
  }

  @Override
  public boolean pacedByCaller() {
    return false;
  }

  /**
   * True once closed, or finished and drained: {@link #next()} will never return a segment again.
   */
  public boolean ended() {
    synchronized (lock) {
      return closed || (finished && ready.isEmpty());
    }
  }

  /**
   * No more uploads will come (a file played to its end): {@link #next()} stops waiting once
   * drained.
   */
  void finish() {
    synchronized (lock) {
      finished = true;
      lock.notifyAll();
    }
  }

  public long segmentsPublished() {
    return segmentsPublished.sum();
  }

  /** Uploads and segments dropped to keep memory bounded. */
  public long dropped() {
    return dropped.sum();
  }

  /**
   * Requests answered with an error (401, 413, 400, ...): ffmpeg ignores those silently, so count
   * them here.
   */
  public long refusedRequests() {
    return refused.sum();
  }

  void refused() {
    refused.increment();
  }

  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      uploads.clear();
      ready.clear();
      lock.notifyAll();
    }
  }

  boolean closed() {
    synchronized (lock) {
      return closed;
    }
  }
}
