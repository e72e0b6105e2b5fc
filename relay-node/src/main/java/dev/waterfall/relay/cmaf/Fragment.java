package dev.waterfall.relay.cmaf;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One CMAF fragment ({@code moof} + {@code mdat}, with any {@code styp}/{@code prft} before them)
 * and what the cutter needs to know of it, read from the reference track (see {@link
 * InitSegment#reference()}): its decode time and duration in that track's timescale, and whether it
 * starts with a sync sample (a keyframe).
 */
public record Fragment(
    byte[] bytes,
    long timescale,
    long decodeTime,
    long duration,
    boolean independent,
    Map<Integer, Long> decodeTimes) {

  static final int TFHD_BASE_DATA_OFFSET = 0x1;
  static final int TFHD_SAMPLE_DESCRIPTION = 0x2;
  static final int TFHD_DEFAULT_DURATION = 0x8;
  static final int TFHD_DEFAULT_SIZE = 0x10;
  static final int TFHD_DEFAULT_FLAGS = 0x20;
  static final int TRUN_DATA_OFFSET = 0x1;
  static final int TRUN_FIRST_FLAGS = 0x4;
  static final int TRUN_DURATION = 0x100;
  static final int TRUN_SIZE = 0x200;
  static final int TRUN_FLAGS = 0x400;
  static final int TRUN_CTO = 0x800;

  /** ISO/IEC 14496-12 sample flags: sample_is_non_sync_sample. */
  static final long NON_SYNC = 0x10000;

  public double seconds() {
    return (double) duration / timescale;
  }

  /** Parses the fragment; every track its {@code traf}s name must be in {@code init}. */
  public static Fragment parse(byte[] bytes, InitSegment init) {
    Mp4Box moof = null;
    boolean mdat = false;
    for (Mp4Box box : Mp4Box.children(bytes, 0, bytes.length)) {
      if (box.type().equals("moof") && moof == null) {
        moof = box;
      } else if (box.type().equals("mdat")) {
        mdat = true;
      }
    }
    if (moof == null || !mdat) {
      throw new CmafFormatException("a fragment needs a 'moof' and an 'mdat'");
    }
    InitSegment.Track reference = init.reference();
    Map<Integer, Long> decodeTimes = new LinkedHashMap<>();
    Traf ref = null;
    Traf first = null;
    for (Mp4Box box : moof.children(bytes)) {
      if (box.type().equals("traf")) {
        Traf traf = Traf.read(bytes, box, init);
        decodeTimes.put(traf.track.id(), traf.decodeTime);
        if (traf.track.id() == reference.id()) {
          ref = traf;
        }
        if (first == null) {
          first = traf;
        }
      }
    }
    if (first == null) {
      throw new CmafFormatException("'moof' has no 'traf'");
    }
    if (ref == null) {
      // A fragment without the reference track (e.g. audio left over after the last video frame):
      // it adds no time on the reference clock and cannot start anything.
      return new Fragment(bytes, reference.timescale(), -1, 0, false, Map.copyOf(decodeTimes));
    }
    boolean independent =
        !reference.video() || (ref.sampleCount > 0 && (ref.firstFlags & NON_SYNC) == 0);
    return new Fragment(
        bytes,
        reference.timescale(),
        ref.decodeTime,
        ref.duration,
        independent,
        Map.copyOf(decodeTimes));
  }

  /** One track's run of samples in this fragment. */
  private record Traf(
      InitSegment.Track track, long decodeTime, long duration, long sampleCount, long firstFlags) {

    static Traf read(byte[] b, Mp4Box traf, InitSegment init) {
      Mp4Box tfhd = traf.require(b, "tfhd");
      tfhd.need(8, b);
      int tf = tfhd.flags(b);
      InitSegment.Track track = init.track((int) Mp4Box.u32(b, tfhd.payload() + 4));
      int at = tfhd.payload() + 8;
      at += (tf & TFHD_BASE_DATA_OFFSET) != 0 ? 8 : 0;
      at += (tf & TFHD_SAMPLE_DESCRIPTION) != 0 ? 4 : 0;
      long defaultDuration = track.defaultDuration();
      long defaultFlags = track.defaultFlags();
      int optional =
          Integer.bitCount(tf & (TFHD_DEFAULT_DURATION | TFHD_DEFAULT_SIZE | TFHD_DEFAULT_FLAGS));
      tfhd.need(at + 4 * optional - tfhd.payload(), b);
      if ((tf & TFHD_DEFAULT_DURATION) != 0) {
        defaultDuration = Mp4Box.u32(b, at);
        at += 4;
      }
      at += (tf & TFHD_DEFAULT_SIZE) != 0 ? 4 : 0;
      if ((tf & TFHD_DEFAULT_FLAGS) != 0) {
        defaultFlags = Mp4Box.u32(b, at);
      }
      Mp4Box tfdt = traf.require(b, "tfdt");
      boolean wide = tfdt.version(b) == 1;
      tfdt.need(wide ? 12 : 8, b);
      long decodeTime =
          wide ? Mp4Box.u64(b, tfdt.payload() + 4) : Mp4Box.u32(b, tfdt.payload() + 4);
      long duration = 0;
      long count = 0;
      Long firstFlags = null;
      for (Mp4Box trun : traf.children(b)) {
        if (!trun.type().equals("trun")) {
          continue;
        }
        trun.need(8, b);
        int rf = trun.flags(b);
        long samples = Mp4Box.u32(b, trun.payload() + 4);
        int p = trun.payload() + 8 + ((rf & TRUN_DATA_OFFSET) != 0 ? 4 : 0);
        Long runFirst = null;
        if ((rf & TRUN_FIRST_FLAGS) != 0) {
          trun.need(p + 4 - trun.payload(), b);
          runFirst = Mp4Box.u32(b, p);
          p += 4;
        }
        int perSample =
            4 * Integer.bitCount(rf & (TRUN_DURATION | TRUN_SIZE | TRUN_FLAGS | TRUN_CTO));
        if (samples * perSample > trun.end() - p) {
          throw new CmafFormatException(
              "'trun' of track "
                  + track.id()
                  + " says "
                  + samples
                  + " samples, more than its "
                  + (trun.end() - p)
                  + " bytes hold");
        }
        for (long i = 0; i < samples; i++) {
          long sampleFlags = defaultFlags;
          if ((rf & TRUN_DURATION) != 0) {
            duration += Mp4Box.u32(b, p);
            p += 4;
          } else {
            duration += defaultDuration;
          }
          p += (rf & TRUN_SIZE) != 0 ? 4 : 0;
          if ((rf & TRUN_FLAGS) != 0) {
            sampleFlags = Mp4Box.u32(b, p);
            p += 4;
          }
          p += (rf & TRUN_CTO) != 0 ? 4 : 0;
          if (count == 0 && i == 0) {
            firstFlags = runFirst != null ? runFirst : sampleFlags;
          }
        }
        count += samples;
      }
      return new Traf(
          track, decodeTime, duration, count, firstFlags == null ? NON_SYNC : firstFlags);
    }
  }

  /**
   * A copy of {@code bytes} with each track's tfdt moved on by {@code offsets} (ticks of that
   * track's timescale): what looping a clip as a live stream needs, so the timeline keeps growing
   * instead of restarting. A version-0 tfdt that would overflow its 32 bits is refused (ffmpeg
   * writes version 1).
   */
  public static byte[] shiftDecodeTimes(byte[] bytes, Map<Integer, Long> offsets) {
    byte[] out = bytes.clone();
    for (Mp4Box box : Mp4Box.children(out, 0, out.length)) {
      if (!box.type().equals("moof")) {
        continue;
      }
      for (Mp4Box traf : box.children(out)) {
        if (!traf.type().equals("traf")) {
          continue;
        }
        Mp4Box tfhd = traf.require(out, "tfhd");
        tfhd.need(8, out);
        long offset = offsets.getOrDefault((int) Mp4Box.u32(out, tfhd.payload() + 4), 0L);
        Mp4Box tfdt = traf.require(out, "tfdt");
        if (tfdt.version(out) == 1) {
          tfdt.need(12, out);
          Mp4Box.putU64(out, tfdt.payload() + 4, Mp4Box.u64(out, tfdt.payload() + 4) + offset);
        } else {
          tfdt.need(8, out);
          long moved = Mp4Box.u32(out, tfdt.payload() + 4) + offset;
          if (moved > 0xFFFFFFFFL) {
            throw new CmafFormatException("a version-0 tfdt cannot hold " + moved);
          }
          Mp4Box.putU32(out, tfdt.payload() + 4, moved);
        }
      }
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Fragment f
        && java.util.Arrays.equals(bytes, f.bytes)
        && timescale == f.timescale
        && decodeTime == f.decodeTime
        && duration == f.duration
        && independent == f.independent;
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(bytes) * 31 + Long.hashCode(decodeTime);
  }

  @Override
  public String toString() {
    return "Fragment["
        + bytes.length
        + " bytes, t="
        + decodeTime
        + "/"
        + timescale
        + ", d="
        + duration
        + (independent ? ", independent" : "")
        + "]";
  }
}
