package dev.waterfall.loadtest.latency;

import dev.waterfall.relay.cmaf.CmafSource;
import dev.waterfall.relay.cmaf.FfmpegCmafSource;
import dev.waterfall.relay.cmaf.Fragment;
import dev.waterfall.relay.cmaf.FragmentReader;
import dev.waterfall.relay.cmaf.InitSegment;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/** The LL-HLS origin's CMAF from the clock: the product's fragmented-MP4 encode of it. */
final class ClockCmafSource implements CmafSource {
  private final ClockEncoder encoder;
  private final FragmentReader reader;

  private ClockCmafSource(ClockEncoder encoder) {
    this.encoder = encoder;
    this.reader = new FragmentReader(encoder.stdout());
  }

  static ClockCmafSource start(int fps, Path log) throws IOException {
    return new ClockCmafSource(ClockEncoder.start(FfmpegCmafSource.outputArgs(null), fps, log));
  }

  @Override
  public InitSegment init() throws IOException {
    return reader.init();
  }

  @Override
  public Optional<Fragment> next() throws IOException {
    return reader.next();
  }

  @Override
  public boolean pacedByCaller() {
    return false;
  }

  @Override
  public void close() {
    encoder.close();
  }
}
