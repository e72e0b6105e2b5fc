package dev.waterfall.relay.cmaf;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The built-in sample as CMAF ({@code /sample/ll/sample.mp4}: the same test pattern and tone as the
 * TS sample, 8 s in fragments of 10 frames, made once with ffmpeg, see docs/protocol.md) looped as
 * an endless live stream. Every loop moves each track's tfdt on by the clip's length, so the
 * timeline keeps growing and a player sees one continuous stream, with no discontinuity and no new
 * init segment. Fragments without the video track (the AAC encoder's flush past the clip's end) are
 * left out: the next loop's audio starts where the video does. No threads and no clock: the caller
 * paces it.
 */
public final class CmafSample implements CmafSource {

  public static final String RESOURCE = "/sample/ll/sample.mp4";

  private final InitSegment init;
  private final List<Fragment> clip;
  private final Map<Integer, Long> loopTicks = new HashMap<>();
  private int position;
  private long loop;

  public CmafSample(byte[] file) {
    try {
      FragmentReader reader = new FragmentReader(new ByteArrayInputStream(file));
      this.init = reader.init();
      List<Fragment> fragments = new ArrayList<>();
      for (Optional<Fragment> f = reader.next(); f.isPresent(); f = reader.next()) {
        if (f.get().decodeTime() >= 0) {
          fragments.add(f.get());
        }
      }
      if (fragments.isEmpty() || !fragments.get(0).independent()) {
        throw new CmafFormatException("the sample must start with a keyframe fragment");
      }
      this.clip = List.copyOf(fragments);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    double seconds = clip.stream().mapToDouble(Fragment::seconds).sum();
    init.tracks().values().forEach(t -> loopTicks.put(t.id(), Math.round(seconds * t.timescale())));
  }

  public static CmafSample fromClasspath() {
    try (InputStream in = CmafSample.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "the CMAF sample " + RESOURCE + " is missing from the classpath");
      }
      return new CmafSample(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public InitSegment init() {
    return init;
  }

  /** Fragments in one pass of the clip. */
  public int fragmentsPerLoop() {
    return clip.size();
  }

  @Override
  public Optional<Fragment> next() {
    Fragment f = clip.get(position);
    if (++position == clip.size()) {
      position = 0;
      loop++;
    }
    long thisLoop = position == 0 ? loop - 1 : loop;
    if (thisLoop == 0) {
      return Optional.of(f);
    }
    Map<Integer, Long> offsets = new HashMap<>();
    loopTicks.forEach((track, ticks) -> offsets.put(track, ticks * thisLoop));
    return Optional.of(Fragment.parse(Fragment.shiftDecodeTimes(f.bytes(), offsets), init));
  }

  @Override
  public boolean pacedByCaller() {
    return true;
  }
}
