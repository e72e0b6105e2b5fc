package dev.waterfall.relay.cli;

import dev.waterfall.protocol.config.Settings;
import dev.waterfall.relay.Relay;
import dev.waterfall.relay.RelayConfig;
import dev.waterfall.relay.peer.PeerFactory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Flags every relay shares: where the coordinators are, which stream, where to serve HTTP, how to
 * link.
 */
public final class RelayOptions {
  @Option(
      names = "--coordinator",
      split = ",",
      defaultValue = "http://127.0.0.1:8080",
      paramLabel = "URL[,URL…]",
      description =
          "Coordinator base URLs, tried in turn when one is down (default: ${DEFAULT-VALUE}).")
  List<String> coordinators;

  @Option(names = "--stream", required = true, description = "Stream name.")
  String stream;

  @Option(
      names = "--http-host",
      defaultValue = "127.0.0.1",
      description = "Address the HLS/metrics HTTP server binds (default: ${DEFAULT-VALUE}).")
  String httpHost;

  @Option(
      names = "--public-url",
      paramLabel = "URL",
      description =
          "Base URL browsers and relays reach this node's HTTP server at, e.g. https://booster.example.org"
              + " behind a TLS proxy (default: http(s)://<http-host>:<http-port>, which the coordinator hands only to"
              + " pages on the same LAN or machine, and never to an https page unless it is https).")
  String publicUrl;

  @Option(
      names = "--tls-cert",
      paramLabel = "FILE",
      description =
          "Serve HTTPS with this PEM certificate chain (with --tls-key); a renewal is picked up within a"
              + " minute, without a restart.")
  Path tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "FILE",
      description = "The PEM private key of --tls-cert.")
  Path tlsKey;

  @Option(
      names = "--trust-pem",
      paramLabel = "FILE",
      description =
          "Also trust this PEM CA certificate for https/wss coordinators and relays (Caddy's internal CA,"
              + " Let's Encrypt staging, a lab CA); the system's CAs stay trusted.")
  Path trustPem;

  /**
   * The host others reach this machine at: that of {@code --public-url} when given (the one way to
   * name it that fallback URLs use), else {@code --http-host}, bracketed if IPv6. A wildcard
   * (0.0.0.0) is kept as it is: the dashboard says to use the machine's address, or to set {@code
   * --public-url}.
   */
  String publicHost() {
    try {
      String host = publicUrl == null ? null : java.net.URI.create(publicUrl).getHost();
      if (host != null) {
        return host;
      }
    } catch (IllegalArgumentException e) {
      // not a URL: the coordinator refuses it as httpUrl anyway; name the bind address instead
    }
    return httpHost.contains(":") && !httpHost.startsWith("[") ? "[" + httpHost + "]" : httpHost;
  }

  /** The scheme of this node's own HTTP server. */
  String scheme() {
    return tlsCert != null ? "https" : "http";
  }

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "Settings file (or WATERFALL_CONFIG): the relay.* keys of waterfall-defaults.properties, as"
              + " docs/configuration.md lists them; WATERFALL_RELAY_* environment variables too.")
  Path config;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Any setting, e.g. --set relay.store.windowMs=60000.")
  Map<String, String> set = new LinkedHashMap<>();

  @Option(
      names = "--ice-relay-only",
      description =
          "Link to peers only through the TURN servers the coordinator names (ICE transport policy"
              + " relay): to check a TURN setup, or to keep this host's addresses from its peers.")
  boolean iceRelayOnly;

  /** How this relay's WebRTC links are made. */
  PeerFactory.Settings links() {
    PeerFactory.Settings d = PeerFactory.Settings.defaults();
    return iceRelayOnly ? d.withRelayOnly() : d;
  }

  Relay.Options toOptions(String key, int httpPort) {
    return new Relay.Options(
        coordinators,
        stream,
        key,
        httpHost,
        httpPort,
        publicUrl,
        new Relay.Tls(tlsCert, tlsKey, trustPem),
        RelayConfig.from(Settings.forProcess(config, set)));
  }
}
