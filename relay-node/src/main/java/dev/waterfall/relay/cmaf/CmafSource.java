package dev.waterfall.relay.cmaf;

import java.io.IOException;
import java.util.Optional;

/**
 * Where an LL-HLS origin's CMAF comes from: the looped sample, or ffmpeg writing fragmented MP4 to
 * a pipe.
 */
public interface CmafSource extends AutoCloseable {

  InitSegment init() throws IOException;

  /** The next fragment; empty once the source has ended. May block until a live source has one. */
  Optional<Fragment> next() throws IOException;

  /**
   * True when the caller must publish each fragment at its own pace (the sample); false for a live
   * source.
   */
  boolean pacedByCaller();

  @Override
  default void close() throws IOException {}
}
