package dev.waterfall.coordinator.config;

import dev.waterfall.protocol.config.Settings;

/**
 * Heartbeat cadence, when a silent node counts as gone, how long a dead coordinator's nodes may
 * resume, and how long a resume token is good for (connected nodes get a fresh one at half life).
 */
public record LivenessConfig(
    long heartbeatIntervalMs, int missedHeartbeats, long resumeGraceMs, long resumeTokenTtlMs) {
  public static LivenessConfig from(Settings s) {
    return new LivenessConfig(
        s.integer("liveness.heartbeatIntervalMs", 100, 600_000),
        s.integer("liveness.missedHeartbeats", 1, 100),
        s.integer("liveness.resumeGraceMs", 0, 3_600_000),
        s.integer("liveness.resumeTokenTtlMs", 1_000, 86_400_000));
  }

  public long silenceLimitMs() {
    return heartbeatIntervalMs * missedHeartbeats;
  }
}
