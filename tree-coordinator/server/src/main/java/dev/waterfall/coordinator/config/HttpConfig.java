package dev.waterfall.coordinator.config;

/** Where the REST API, {@code /ws} and {@code /metrics} listen, and the admin credential. */
public record HttpConfig(String host, int port, String adminToken) {
  public static HttpConfig from(Settings s) {
    String host = s.string("http.host");
    if (host.isBlank()) {
      throw new ConfigException("http.host must not be empty (use 127.0.0.1 or 0.0.0.0)");
    }
    String token = s.string("admin.token");
    if (!token.isEmpty() && token.length() < 16) {
      throw new ConfigException("admin.token must be at least 16 characters (or empty to generate one)");
    }
    return new HttpConfig(host, s.integer("http.port", 0, 65535), token);
  }
}
