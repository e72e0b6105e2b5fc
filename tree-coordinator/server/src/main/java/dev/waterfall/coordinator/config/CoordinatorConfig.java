package dev.waterfall.coordinator.config;

import dev.waterfall.protocol.config.Settings;

/** Every setting of one coordinator process, validated. */
public record CoordinatorConfig(
    HttpConfig http,
    SignallingConfig signalling,
    LivenessConfig liveness,
    TreeConfig tree,
    ClusterConfig cluster,
    TurnConfig turn) {
  public static CoordinatorConfig from(Settings s) {
    return new CoordinatorConfig(
        HttpConfig.from(s),
        SignallingConfig.from(s),
        LivenessConfig.from(s),
        TreeConfig.from(s),
        ClusterConfig.from(s),
        TurnConfig.from(s));
  }
}
