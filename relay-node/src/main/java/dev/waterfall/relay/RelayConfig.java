package dev.waterfall.relay;

import dev.waterfall.protocol.config.Settings;
import dev.waterfall.relay.store.StoreLimits;

/**
 * A relay's tunable timings and store limits: the {@code relay.*} keys of the one defaults file
 * (waterfall-defaults.properties), layered as the coordinator's are (docs/configuration.md).
 *
 * @param chunkDeadlineMs how long a segment's missing chunks may wait for the parent after its
 *     header before they are fetched over HTTP
 * @param parentSilenceMs a parent that sent nothing this long is silent: fetch over HTTP
 * @param slowChildReportMs a child too slow for the stream this long is reported slow-child
 * @param store what the segment store keeps
 */
public record RelayConfig(
    long chunkDeadlineMs, long parentSilenceMs, long slowChildReportMs, StoreLimits store) {

  private static final RelayConfig DEFAULTS = from(Settings.defaultsOnly());

  /** The defaults file's values. */
  public static RelayConfig defaults() {
    return DEFAULTS;
  }

  public static RelayConfig from(Settings s) {
    return new RelayConfig(
        s.integer("relay.chunkDeadlineMs", 0, 60_000),
        s.integer("relay.parentSilenceMs", 100, 60_000),
        s.integer("relay.slowChildReportMs", 100, 600_000),
        StoreLimits.from(s));
  }
}
