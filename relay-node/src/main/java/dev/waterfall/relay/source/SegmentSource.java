package dev.waterfall.relay.source;

import java.io.IOException;
import java.util.Optional;

/**
 * Where an origin's segments come from: the built-in sample, a file or RTMP through ffmpeg, HTTP
 * ingest. The origin calls {@link #next()} in a loop, chunks and signs each segment, and publishes
 * it.
 */
public interface SegmentSource extends AutoCloseable {

  /**
   * The next segment, in sequence order; empty when the source has ended (a file played once). May
   * block until a live source has one. Sequence numbers only grow; a restart of timestamps comes
   * with {@code discontinuity}.
   */
  Optional<MediaSegment> next() throws IOException;

  /**
   * True when the caller must pace the stream itself, publishing each segment {@code
   * durationMillis} after the previous one (the sample); false when {@link #next()} already returns
   * segments as they happen live.
   */
  boolean pacedByCaller();

  @Override
  default void close() throws IOException {}

  /**
   * True once no segment will ever come again (a file played to its end, or closed). Empty from
   * next() is not that.
   */
  default boolean ended() {
    return false;
  }
}
