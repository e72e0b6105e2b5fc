package dev.waterfall.relay.node;

import dev.waterfall.relay.store.StoreLimits;
import java.util.List;

/**
 * What one relay node needs to run. {@code role} is "origin" or "booster"; {@code key} the publish key or the
 * booster token; {@code httpUrl} the base URL others reach this node's HLS at (null: it serves no fallback).
 */
public record NodeSettings(List<String> coordinators, String stream, String role, String key, String httpUrl,
                           StoreLimits storeLimits, long chunkDeadlineMs, long parentSilenceMs,
                           long slowChildReportMs) {
  public static NodeSettings booster(List<String> coordinators, String stream, String token, String httpUrl) {
    return new NodeSettings(coordinators, stream, "booster", token, httpUrl, StoreLimits.defaults(), 1500, 3000,
        3000);
  }

  public static NodeSettings origin(List<String> coordinators, String stream, String publishKey, String httpUrl) {
    return new NodeSettings(coordinators, stream, "origin", publishKey, httpUrl, StoreLimits.defaults(), 1500,
        3000, 3000);
  }

  public boolean isOrigin() {
    return role.equals("origin");
  }
}
