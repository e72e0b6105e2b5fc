package dev.waterfall.relay.cmaf;

import java.util.Map;

/** Fragments made up for the cutter's tests: only the fields it reads matter. */
final class CmafTestFragments {
  private CmafTestFragments() {}

  /**
   * {@code frames} frames of 30 fps video (timescale 15360, 512 ticks a frame), starting at frame
   * {@code at}.
   */
  static Fragment video(long at, int frames, boolean keyframe) {
    return new Fragment(
        new byte[] {(byte) at}, 15360, at * 512, frames * 512L, keyframe, Map.of(1, at * 512));
  }
}
