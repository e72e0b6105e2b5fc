package dev.waterfall.protocol.tls;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A TLS client for tests: what a server on 127.0.0.1 presents to a fresh client that trusts only
 * {@code caPem}, and that client's context (every TLS test of the project uses this one).
 */
public final class Presented {
  private Presented() {}

  public static X509Certificate certificate(int port, Path caPem) throws Exception {
    try (SSLSocket socket = handshake(port, caPem, 10_000)) {
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }
  }

  /** A socket to 127.0.0.1:{@code port} past its handshake, trusting only {@code caPem}. */
  public static SSLSocket handshake(int port, Path caPem, int timeoutMillis) throws Exception {
    SSLSocket socket =
        (SSLSocket) trusting(caPem).getSocketFactory().createSocket("127.0.0.1", port);
    try {
      socket.setSoTimeout(timeoutMillis);
      socket.startHandshake();
      return socket;
    } catch (Exception e) {
      socket.close();
      throw e;
    }
  }

  /** A TLS context that trusts only the PEM CA certificate {@code caPem}. */
  public static SSLContext trusting(Path caPem) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(caPem)) {
      trust.setCertificateEntry(
          "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    return ssl;
  }
}
