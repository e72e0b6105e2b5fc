package dev.waterfall.relay.source;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The built-in sample clip (resources {@code /sample/}, made once with ffmpeg, see
 * docs/protocol.md) looped as an endless live stream. Each segment gets the next media sequence
 * number and its true duration; the first segment of every loop after the first carries a
 * discontinuity, because the clip's timestamps restart there. No threads and no clock: the caller
 * publishes one segment per {@code durationMillis}.
 */
public final class SampleSource implements SegmentSource {

  public static final String RESOURCE_DIR = "/sample/";
  public static final String INDEX = RESOURCE_DIR + "index.txt";

  /** One file of the clip. Shares its bytes with every segment made from it: read only. */
  public record Clip(String name, byte[] bytes, int durationMillis) {
    public Clip {
      if (bytes.length == 0 || durationMillis < 1) {
        throw new IllegalArgumentException("empty sample clip " + name);
      }
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Clip c
          && name.equals(c.name)
          && durationMillis == c.durationMillis
          && java.util.Arrays.equals(bytes, c.bytes);
    }

    @Override
    public int hashCode() {
      return (name.hashCode() * 31 + durationMillis) * 31 + java.util.Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "Clip[" + name + ", " + bytes.length + " bytes, " + durationMillis + " ms]";
    }
  }

  private final List<Clip> clips;
  private long nextSequence;
  private long discontinuitySequence;
  private int position;
  private boolean started;

  /**
   * @param firstSequence where numbering starts; an origin that restarts should start above what it
   *     published before (e.g. from the wall clock), because relays treat lower numbers as old
   */
  public SampleSource(List<Clip> clips, long firstSequence) {
    if (clips.isEmpty()) {
      throw new IllegalArgumentException("a sample needs at least one clip");
    }
    if (firstSequence < 0) {
      throw new IllegalArgumentException("firstSequence must not be negative");
    }
    this.clips = List.copyOf(clips);
    this.nextSequence = firstSequence;
  }

  /** The committed sample, numbered from 0. */
  public static SampleSource fromClasspath() {
    return fromClasspath(0);
  }

  public static SampleSource fromClasspath(long firstSequence) {
    return new SampleSource(loadClips(), firstSequence);
  }

  /**
   * Reads {@code index.txt} ("name durationMillis" a line, '#' comments) and the files it names.
   */
  public static List<Clip> loadClips() {
    try {
      List<Clip> clips = new ArrayList<>();
      for (String line : readIndex()) {
        String trimmed = line.strip();
        if (trimmed.isEmpty() || trimmed.startsWith("#")) {
          continue;
        }
        String[] fields = trimmed.split("\\s+");
        if (fields.length != 2) {
          throw new IllegalStateException("bad line in " + INDEX + ": " + line);
        }
        clips.add(
            new Clip(
                fields[0], readResource(RESOURCE_DIR + fields[0]), Integer.parseInt(fields[1])));
      }
      return clips;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the built-in sample", e);
    }
  }

  /** The next segment of the endless stream; never empty. */
  @Override
  public Optional<MediaSegment> next() {
    boolean wrapped = started && position == 0;
    if (wrapped) {
      discontinuitySequence++;
    }
    Clip clip = clips.get(position);
    MediaSegment segment =
        new MediaSegment(
            nextSequence, clip.bytes(), clip.durationMillis(), wrapped, discontinuitySequence);
    started = true;
    nextSequence++;
    position = (position + 1) % clips.size();
    return Optional.of(segment);
  }

  @Override
  public boolean pacedByCaller() {
    return true;
  }

  /** Segments per loop. */
  public int loopLength() {
    return clips.size();
  }

  /** Media per loop. */
  public long loopMillis() {
    return clips.stream().mapToLong(Clip::durationMillis).sum();
  }

  private static List<String> readIndex() throws IOException {
    try (InputStream in = open(INDEX);
        BufferedReader reader =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      return reader.lines().toList();
    }
  }

  private static byte[] readResource(String path) throws IOException {
    try (InputStream in = open(path)) {
      return in.readAllBytes();
    }
  }

  private static InputStream open(String path) throws IOException {
    InputStream in = SampleSource.class.getResourceAsStream(path);
    if (in == null) {
      throw new IOException("missing resource " + path);
    }
    return in;
  }
}
