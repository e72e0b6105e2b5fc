package dev.waterfall.coordinator.signalling;

import dev.waterfall.protocol.LogAddresses;
import io.vertx.core.http.ServerWebSocket;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who is at the other end of a socket, for per-address limits, and how to name them in logs. Behind a trusted
 * reverse proxy the client is the rightmost {@code X-Forwarded-For} entry that is not itself a trusted proxy; from
 * anyone else the header is ignored, since a client can write whatever it likes there.
 */
final class ClientAddresses {
  private static final Pattern IP_LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}|[0-9A-Fa-f]*:[0-9A-Fa-f:.]{1,44}");
  private final Set<String> trusted = new HashSet<>();
  private final LogAddresses logAddresses;

  /** {@code redact}: logs show a keyed hash (stable for this process, not reversible) instead of the address. */
  ClientAddresses(List<String> trustedProxies, boolean redact) {
    trustedProxies.forEach(p -> trusted.add(normalise(p)));
    this.logAddresses = LogAddresses.of(redact);
  }

  String of(ServerWebSocket ws) {
    return resolve(ws.remoteAddress() == null ? null : ws.remoteAddress().hostAddress(),
        ws.headers().get("X-Forwarded-For"));
  }

  String resolve(String peerAddress, String forwarded) {
    String peer = normalise(peerAddress);
    if (!trusted.contains(peer) || forwarded == null) {
      return peer;
    }
    String[] hops = forwarded.split(",");
    String client = peer;
    for (int i = hops.length - 1; i >= 0 && trusted.contains(client); i--) {
      client = normalise(hops[i].trim());
    }
    return client;
  }

  /** The address as logs should show it. */
  String forLog(String address) {
    return logAddresses.of(address);
  }

  /** One spelling per address (::1 and 0:0:0:0:0:0:0:1 alike); never a DNS lookup, and never a long key. */
  static String normalise(String address) {
    if (address == null || address.isEmpty()) {
      return "unknown";
    }
    if (IP_LITERAL.matcher(address).matches()) {
      try {
        return InetAddress.getByName(address).getHostAddress();
      } catch (UnknownHostException | IllegalArgumentException e) {
        // not an address after all: fall through
      }
    }
    return address.length() <= 64 ? address : address.substring(0, 64);
  }

}
