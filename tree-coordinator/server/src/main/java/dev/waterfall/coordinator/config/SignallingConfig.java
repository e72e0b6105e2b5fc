package dev.waterfall.coordinator.config;

import dev.waterfall.protocol.config.ConfigException;
import dev.waterfall.protocol.config.Settings;
import java.util.List;

/**
 * Limits that keep one socket, or one address, from disturbing the others, and the STUN servers
 * handed to nodes (TURN servers, which need credentials, are in {@link TurnConfig}). A per-address
 * limit of 0 means none.
 */
public record SignallingConfig(
    int maxMessageBytes,
    int messagesPerSecond,
    int messageBurst,
    int maxRateViolations,
    int joinTimeoutMs,
    int maxSocketsPerIp,
    int joinsPerIpPerSecond,
    int joinBurstPerIp,
    List<String> iceServers) {
  public static SignallingConfig from(Settings s) {
    List<String> ice = s.list("ice.servers");
    for (String url : ice) {
      // A TURN server needs credentials (a browser refuses a turn: URL without them): ice.turn.*
      // makes them.
      if (url.matches("turns?:.*")) {
        throw new ConfigException(
            "ice.servers: '"
                + url
                + "' is a TURN server: list it in ice.turn.urls, with"
                + " ice.turn.secret");
      }
      if (!url.matches("stuns?:.+")) {
        throw new ConfigException("ice.servers: '" + url + "' is not a stun: URL");
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
