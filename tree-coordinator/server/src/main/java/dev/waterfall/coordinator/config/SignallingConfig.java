package dev.waterfall.coordinator.config;

import java.util.List;

/**
 * Limits that keep one socket, or one address, from disturbing the others, and the ICE servers handed to nodes.
 * A per-address limit of 0 means none.
 */
public record SignallingConfig(int maxMessageBytes, int messagesPerSecond, int messageBurst,
                               int maxRateViolations, int joinTimeoutMs, int maxSocketsPerIp, int joinsPerIpPerSecond,
                               int joinBurstPerIp, List<String> iceServers) {
  public static SignallingConfig from(Settings s) {
    List<String> ice = s.list("ice.servers");
    for (String url : ice) {
      if (!url.matches("(stun|stuns|turn|turns):.+")) {
        throw new ConfigException("ice.servers: '" + url + "' is not a stun: or turn: URL");
      }
    }
    return new SignallingConfig(
        s.integer("signalling.maxMessageBytes", 1024, 1 << 20),
        s.integer("signalling.messagesPerSecond", 1, 100_000),
        s.integer("signalling.messageBurst", 1, 1_000_000),
        s.integer("signalling.maxRateViolations", 1, 1_000_000),
        s.integer("signalling.joinTimeoutMs", 1000, 3_600_000),
        s.integer("signalling.maxSocketsPerIp", 0, 10_000_000),
        s.integer("signalling.joinsPerIpPerSecond", 0, 1_000_000),
        s.integer("signalling.joinBurstPerIp", 1, 10_000_000),
        ice);
  }
}
