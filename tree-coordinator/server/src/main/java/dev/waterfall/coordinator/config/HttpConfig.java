package dev.waterfall.coordinator.config;

/**
 * Where the REST API, {@code /ws} and {@code /metrics} listen, the admin credential, and the reverse proxies whose
 * {@code X-Forwarded-For} names the client (per-address limits would otherwise see only the proxy).
 */
public record HttpConfig(String host, int port, String adminToken, java.util.List<String> trustedProxies,
                         boolean redactAddresses) {
  public static HttpConfig from(Settings s) {
    String host = s.string("http.host");
    if (host.isBlank()) {
      throw new ConfigException("http.host must not be empty (use 127.0.0.1 or 0.0.0.0)");
    }
    String token = s.string("admin.token");
    if (!token.isEmpty() && token.length() < 16) {
      throw new ConfigException("admin.token must be at least 16 characters (or empty to generate one)");
    }
    java.util.List<String> proxies = s.list("http.trustedProxies");
    for (String p : proxies) {
      if (!p.matches("[0-9.]+|[0-9A-Fa-f:]+")) {
        throw new ConfigException("http.trustedProxies: '" + p + "' is not an IP address");
      }
    }
    return new HttpConfig(host, s.integer("http.port", 0, 65535), token, proxies, s.bool("log.redactAddresses"));
  }
}
