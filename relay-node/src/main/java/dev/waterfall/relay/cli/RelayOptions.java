package dev.waterfall.relay.cli;

import dev.waterfall.relay.Relay;
import dev.waterfall.relay.peer.PeerFactory;
import java.util.List;
import picocli.CommandLine.Option;

/** Flags every relay shares: where the coordinators are, which stream, where to serve HTTP, how to link. */
public final class RelayOptions {
  @Option(names = "--coordinator", split = ",", defaultValue = "http://127.0.0.1:8080", paramLabel = "URL[,URL…]",
      description = "Coordinator base URLs, tried in turn when one is down (default: ${DEFAULT-VALUE}).")
  List<String> coordinators;

  @Option(names = "--stream", required = true, description = "Stream name.")
  String stream;

  @Option(names = "--http-host", defaultValue = "127.0.0.1",
      description = "Address the HLS/metrics HTTP server binds (default: ${DEFAULT-VALUE}).")
  String httpHost;

  @Option(names = "--public-url", paramLabel = "URL",
      description = "Base URL others reach this node's HTTP server at (default: http://<http-host>:<http-port>).")
  String publicUrl;

  @Option(names = "--ice-relay-only",
      description = "Link to peers only through the TURN servers the coordinator names (ICE transport policy"
          + " relay): to check a TURN setup, or to keep this host's addresses from its peers.")
  boolean iceRelayOnly;

  /** How this relay's WebRTC links are made. */
  PeerFactory.Settings links() {
    PeerFactory.Settings d = PeerFactory.Settings.defaults();
    return iceRelayOnly ? d.withRelayOnly() : d;
  }

  Relay.Options toOptions(String key, int httpPort) {
    return new Relay.Options(coordinators, stream, key, httpHost, httpPort, publicUrl);
  }
}
