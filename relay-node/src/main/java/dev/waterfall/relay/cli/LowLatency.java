package dev.waterfall.relay.cli;

import dev.waterfall.relay.cmaf.CmafSample;
import dev.waterfall.relay.cmaf.CmafSource;
import dev.waterfall.relay.cmaf.FfmpegCmafSource;
import dev.waterfall.relay.llhls.LlHlsOrigin;
import dev.waterfall.relay.llhls.LlSettings;
import dev.waterfall.relay.segment.SegmentSigner;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code publish --ll-hls}: the origin's LL-HLS output beside the classic stream, from the sample
 * or a file.
 */
final class LowLatency {
  private LowLatency() {}

  /** Started; the caller mounts it on the origin's router and closes it on the way out. */
  static LlHlsOrigin start(
      String stream,
      boolean sample,
      Path file,
      boolean loop,
      String videoBitrate,
      long firstSequence,
      SegmentSigner key)
      throws IOException {
    CmafSource source;
    if (sample) {
      source = CmafSample.fromClasspath();
    } else if (file != null) {
      source = FfmpegCmafSource.start(file, loop, videoBitrate);
    } else {
      throw new IllegalArgumentException(
          "--ll-hls works with --sample or --input for now (RTMP and HTTP ingest "
              + "come next: docs/architecture.md, \"Low latency (LL-HLS)\")");
    }
    return new LlHlsOrigin(stream, source, LlSettings.DEFAULT, firstSequence, key).start();
  }
}
