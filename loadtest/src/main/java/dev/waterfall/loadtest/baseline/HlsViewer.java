package dev.waterfall.loadtest.baseline;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One plain-HLS player on its own HTTP connection: loads the live playlist, starts three segments
 * behind the live edge (hls.js's default liveSyncDurationCount), then reloads the playlist about
 * once a segment and fetches every new segment in order. Playback is modelled: it starts when the
 * first segment is complete; a segment that completes after its turn to play is late (a stall), and
 * playback waits for it (later deadlines move with it).
 */
final class HlsViewer implements Runnable {
  /** Segments behind the live edge a player starts at (hls.js liveSyncDurationCount = 3). */
  static final int START_BEHIND_EDGE = 3;

  private final HttpClient http;
  private final URI playlist;
  private final long untilNanos;
  final PlaybackClock playback = new PlaybackClock();
  volatile long bodyBytes;
  volatile long requests;
  volatile long errors;
  volatile long startupNanos = -1;
  volatile String failure;

  HlsViewer(HttpClient http, URI playlist, long untilNanos) {
    this.http = http;
    this.playlist = playlist;
    this.untilNanos = untilNanos;
  }

  @Override
  public void run() {
    long requested = System.nanoTime();
    long last = -1;
    try {
      while (System.nanoTime() < untilNanos) {
        Playlist p = fetchPlaylist();
        long segmentNanos = p == null ? 500_000_000L : p.targetSeconds * 1_000_000_000L;
        boolean fetched = false;
        if (p != null && !p.uris.isEmpty()) {
          long edge = p.mediaSequence + p.uris.size() - 1;
          long from = last < 0 ? Math.max(p.mediaSequence, edge - START_BEHIND_EDGE + 1) : last + 1;
          for (long seq = Math.max(from, p.mediaSequence);
              seq <= edge && System.nanoTime() < untilNanos;
              seq++) {
            if (!fetchSegment(p.uris.get((int) (seq - p.mediaSequence)))) {
              break;
            }
            long now = System.nanoTime();
            if (startupNanos < 0) {
              startupNanos = now - requested;
            }
            playback.segmentComplete(now, p.segmentNanos.get((int) (seq - p.mediaSequence)));
            last = seq;
            fetched = true;
          }
        }
        // hls.js reloads a live playlist every target duration, half that when nothing was new.
        sleepNanos(
            Math.min(untilNanos - System.nanoTime(), fetched ? segmentNanos : segmentNanos / 2));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      failure = e.toString();
    }
  }

  private record Playlist(
      long mediaSequence, long targetSeconds, List<URI> uris, List<Long> segmentNanos) {}

  private Playlist fetchPlaylist() throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(playlist).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    requests++;
    bodyBytes += r.body().length();
    if (r.statusCode() != 200) {
      errors++;
      return null;
    }
    long media = 0;
    long target = 2;
    long nextDuration = 0;
    List<URI> uris = new ArrayList<>();
    List<Long> durations = new ArrayList<>();
    for (String line : r.body().split("\n")) {
      line = line.trim();
      if (line.startsWith("#EXT-X-MEDIA-SEQUENCE:")) {
        media = Long.parseLong(line.substring(22).trim());
      } else if (line.startsWith("#EXT-X-TARGETDURATION:")) {
        target = Long.parseLong(line.substring(22).trim());
      } else if (line.startsWith("#EXTINF:")) {
        String d = line.substring(8).split(",")[0].trim();
        nextDuration = Math.round(Double.parseDouble(d) * 1e9);
      } else if (!line.isEmpty() && !line.startsWith("#")) {
        uris.add(playlist.resolve(line));
        durations.add(nextDuration);
      }
    }
    return new Playlist(media, Math.max(1, target), uris, durations);
  }

  private boolean fetchSegment(URI uri) throws IOException, InterruptedException {
    HttpResponse<InputStream> r =
        http.send(
            HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    requests++;
    long n = 0;
    try (InputStream in = r.body()) {
      byte[] buf = new byte[64 * 1024];
      for (int k; (k = in.read(buf)) >= 0; ) {
        n += k;
      }
    }
    bodyBytes += n;
    if (r.statusCode() != 200) {
      errors++;
      return false;
    }
    return true;
  }

  private static void sleepNanos(long nanos) throws InterruptedException {
    if (nanos > 0) {
      Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
    }
  }

  /**
   * The player's buffer: playback starts at the first complete segment; the k-th segment is due
   * when the ones before it have played. A segment completing after it was due is a stall of that
   * length (playback waits).
   */
  static final class PlaybackClock {
    private long dueNanos = Long.MIN_VALUE;
    int segments;
    int late;
    long stalledNanos;

    synchronized void segmentComplete(long atNanos, long durationNanos) {
      if (dueNanos == Long.MIN_VALUE) {
        dueNanos = atNanos; // playback starts now
      } else if (atNanos > dueNanos) {
        late++;
        stalledNanos += atNanos - dueNanos;
        dueNanos = atNanos;
      }
      segments++;
      dueNanos += durationNanos;
    }

    synchronized double continuity() {
      return segments == 0 ? Double.NaN : 1 - (double) late / segments;
    }
  }
}
