package dev.waterfall.loadtest.run;

import picocli.CommandLine.Option;

/**
 * The stream a scenario's origin publishes from its synthetic source, as most scenarios take it.
 */
public final class StreamOptions {
  @Setting("bitrateKbps")
  @Option(
      names = "--bitrate",
      defaultValue = "1500",
      description = "Stream bitrate in kbps (default ${DEFAULT-VALUE}).")
  public int kbps;

  @Option(
      names = "--segment-ms",
      defaultValue = "2000",
      description = "Segment duration (default ${DEFAULT-VALUE}).")
  public int segmentMs;
}
