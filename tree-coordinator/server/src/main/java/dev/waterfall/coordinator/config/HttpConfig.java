package dev.waterfall.coordinator.config;

import dev.waterfall.protocol.config.ConfigException;
import dev.waterfall.protocol.config.Settings;

/**
 * Where the REST API, {@code /ws} and {@code /metrics} listen, the admin credential, the reverse
 * proxies whose {@code X-Forwarded-For} names the client (per-address limits would otherwise see
 * only the proxy), the base URL nodes reach this coordinator at ({@code publicUrl}; empty: derived
 * once the port is bound), and TLS.
 */
public record HttpConfig(
    String host,
    int port,
    String adminToken,
    java.util.List<String> trustedProxies,
    boolean redactAddresses,
    String publicUrl,
    TlsConfig tls) {
  public static HttpConfig from(Settings s) {
    String host = s.string("http.host");
    if (host.isBlank()) {
      throw new ConfigException("http.host must not be empty (use 127.0.0.1 or 0.0.0.0)");
    }
    String token = s.string("admin.token");
    if (!token.isEmpty() && token.length() < 16) {
      throw new ConfigException(
          "admin.token must be at least 16 characters (or empty to generate one)");
    }
    java.util.List<String> proxies = s.list("http.trustedProxies");
    for (String p : proxies) {
      if (!p.matches("[0-9.]+|[0-9A-Fa-f:]+")) {
        throw new ConfigException("http.trustedProxies: '" + p + "' is not an IP address");
      }
    }
    String publicUrl = s.string("http.publicUrl");
    if (publicUrl.endsWith("/")) {
      publicUrl = publicUrl.substring(0, publicUrl.length() - 1);
    }
    // Nodes add /ws to it (relays and pages alike), so a path would be lost: a proxy must serve /
    // as is.
    if (!publicUrl.isEmpty()
        && !publicUrl.matches(
            "https?://[A-Za-z0-9.\\-]+(:\\d{1,5})?|https?://\\[[0-9A-Fa-f:.]+](:\\d{1,5})?")) {
      throw new ConfigException(
          "http.publicUrl = '" + publicUrl + "': expected http(s)://host[:port], no path");
    }
    return new HttpConfig(
        host,
        s.integer("http.port", 0, 65535),
        token,
        proxies,
        s.bool("log.redactAddresses"),
        publicUrl,
        TlsConfig.from(s));
  }

  /**
   * {@code publicUrl}, or {@code http(s)://host:boundPort} ({@code fallbackHost} when {@code host}
   * is a wildcard; https when this coordinator serves TLS itself).
   */
  public String publicUrl(int boundPort, String fallbackHost) {
    if (!publicUrl.isEmpty()) {
      return publicUrl;
    }
    String h =
        host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") ? fallbackHost : host;
    return (tls.enabled() ? "https://" : "http://")
        + (h.contains(":") && !h.startsWith("[") ? "[" + h + "]" : h)
        + ":"
        + boundPort;
  }
}
