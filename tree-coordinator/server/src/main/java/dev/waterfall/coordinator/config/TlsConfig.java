package dev.waterfall.coordinator.config;

import dev.waterfall.protocol.config.ConfigException;
import dev.waterfall.protocol.config.Settings;
import dev.waterfall.protocol.tls.PemKeyPair;
import dev.waterfall.protocol.tls.TlsFileException;
import java.nio.file.Path;

/**
 * HTTPS and WSS served by the coordinator itself, from PEM files (a certificate chain and its key,
 * as Caddy, certbot or openssl write them), checked again every {@code reloadCheckSeconds} so a
 * renewal is presented without a restart. Both paths empty: plain HTTP, as behind a TLS-terminating
 * proxy.
 */
public record TlsConfig(Path certPath, Path keyPath, int reloadCheckSeconds) {
  public static TlsConfig from(Settings s) {
    String cert = s.string("http.tls.certPath");
    String key = s.string("http.tls.keyPath");
    int every = s.integer("http.tls.reloadCheckSeconds", 0, 86_400);
    if (cert.isEmpty() && key.isEmpty()) {
      return new TlsConfig(null, null, every);
    }
    if (cert.isEmpty() || key.isEmpty()) {
      throw new ConfigException(
          "http.tls.certPath and http.tls.keyPath go together: set both for HTTPS, or"
              + " neither for plain HTTP ("
              + (cert.isEmpty() ? "http.tls.certPath" : "http.tls.keyPath")
              + " is empty)");
    }
    TlsConfig tls = new TlsConfig(Path.of(cert), Path.of(key), every);
    try {
      tls.load(); // refuse at start what would fail at the first handshake
    } catch (TlsFileException e) {
      String which =
          e.part() == TlsFileException.Part.CERTIFICATE ? "http.tls.certPath" : "http.tls.keyPath";
      throw new ConfigException(which + " = '" + e.file() + "': " + e.reason());
    }
    return tls;
  }

  public boolean enabled() {
    return certPath != null;
  }

  /** Reads and checks the pair now. */
  public PemKeyPair load() {
    return PemKeyPair.load(certPath, keyPath);
  }
}
