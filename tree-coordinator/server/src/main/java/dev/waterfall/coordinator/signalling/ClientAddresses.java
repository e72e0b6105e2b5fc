package dev.waterfall.coordinator.signalling;

import dev.waterfall.coordinator.streams.UsableUrls;
import dev.waterfall.protocol.LogAddresses;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Who is at the other end of a socket or request, for per-address limits, for the fallback URLs a
 * page can use, and how to name them in logs. Behind a trusted reverse proxy the client is the
 * rightmost {@code X-Forwarded-For} entry that is not itself a trusted proxy; from anyone else the
 * header is ignored, since a client can write whatever it likes there.
 */
public final class ClientAddresses {
  private static final Pattern IP_LITERAL =
      Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}|[0-9A-Fa-f]*:[0-9A-Fa-f:.]{1,44}");
  private final Set<String> trusted = new HashSet<>();
  private final LogAddresses logAddresses;

  /**
   * {@code redact}: logs show a keyed hash (stable for this process, not reversible) instead of the
   * address.
   */
  public ClientAddresses(List<String> trustedProxies, boolean redact) {
    trustedProxies.forEach(p -> trusted.add(normalise(p)));
    this.logAddresses = LogAddresses.of(redact);
  }

  String of(ServerWebSocket ws) {
    return resolve(
        ws.remoteAddress() == null ? null : ws.remoteAddress().hostAddress(),
        ws.headers().get("X-Forwarded-For"));
  }

  /** Where the page behind this socket stands, for {@link UsableUrls}. */
  public UsableUrls.Page page(ServerWebSocket ws) {
    return page(
        ws.isSsl(),
        ws.remoteAddress() == null ? null : ws.remoteAddress().hostAddress(),
        ws.headers()::get);
  }

  /**
   * Where the page that sent this request stands (a page's own fetch: same origin, same scheme).
   */
  public UsableUrls.Page page(HttpServerRequest request) {
    return page(
        request.isSSL(),
        request.remoteAddress() == null ? null : request.remoteAddress().hostAddress(),
        request.headers()::get);
  }

  /**
   * Headers are believed only in the direction that takes URLs away. The page is on https if the
   * connection is TLS, or {@code X-Forwarded-Proto}, {@code Forwarded: proto=} or the browser's
   * {@code Origin} say https, from anyone: a client that lies there only loses http URLs. Its
   * address, which can add private and loopback URLs, is the forwarded one from a trusted proxy; a
   * forwarding header from anyone else (or a trusted proxy that names no client) makes the client
   * public, so a proxy nobody listed in {@code http.trustedProxies} cannot make the whole internet
   * look like 127.0.0.1.
   */
  UsableUrls.Page page(boolean tls, String peerAddress, Function<String, String> header) {
    boolean secure =
        tls
            || mentionsHttps(header.apply("X-Forwarded-Proto"))
            || forwardedProtoHttps(header.apply("Forwarded"))
            || startsWithHttps(header.apply("Origin"));
    String peer = normalise(peerAddress);
    String xff = header.apply("X-Forwarded-For");
    boolean forwarded =
        xff != null || header.apply("Forwarded") != null || header.apply("X-Real-IP") != null;
    UsableUrls.Reach from;
    if (peer.equals("unknown")) {
      from = UsableUrls.Reach.PUBLIC;
    } else if (trusted.contains(peer)) {
      String client = xff == null ? null : resolve(peer, xff);
      // The rightmost entry is what the trusted proxy itself saw (a local viewer through a local
      // proxy: loopback).
      from =
          client == null || client.equals("unknown")
              ? UsableUrls.Reach.PUBLIC
              : UsableUrls.reachOf(client);
    } else {
      from = forwarded ? UsableUrls.Reach.PUBLIC : UsableUrls.reachOf(peer);
    }
    return new UsableUrls.Page(secure, from);
  }

  private static boolean mentionsHttps(String value) {
    if (value == null) {
      return false;
    }
    for (String part : value.split(",")) {
      if (part.trim().equalsIgnoreCase("https")) {
        return true;
      }
    }
    return false;
  }

  private static boolean forwardedProtoHttps(String value) {
    return value != null
        && value
            .toLowerCase(java.util.Locale.ROOT)
            .replace("\"", "")
            .matches(".*\\bproto=https\\b.*");
  }

  private static boolean startsWithHttps(String origin) {
    return origin != null && origin.regionMatches(true, 0, "https://", 0, 8);
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
  public String forLog(String address) {
    return logAddresses.of(address);
  }

  /**
   * One spelling per address (::1 and 0:0:0:0:0:0:0:1 alike); never a DNS lookup, and never a long
   * key.
   */
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
