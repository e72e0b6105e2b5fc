package dev.waterfall.protocol.tls;

import io.vertx.core.net.TrustOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The JVM's own certificate authorities plus those of one PEM file: what a relay trusts when its
 * coordinator or origin has a certificate from a private CA (Caddy's {@code tls internal}, Let's
 * Encrypt staging, an openssl-made lab CA) and perhaps others from a public one. Host names are
 * still verified.
 */
public final class ExtraTrust {
  private ExtraTrust() {}

  /** Null (the JVM's defaults, as Vert.x uses them) when {@code pem} is null. */
  public static TrustOptions withPem(Path pem) {
    if (pem == null) {
      return null;
    }
    Collection<? extends Certificate> extra = read(pem);
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (X509Certificate ca : jvmDefaults().getAcceptedIssuers()) {
        store.setCertificateEntry("jvm-" + i++, ca);
      }
      i = 0;
      for (Certificate ca : extra) {
        store.setCertificateEntry("pem-" + i++, ca);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      return TrustOptions.wrap(tmf);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build a trust store: " + e, e);
    }
  }

  private static Collection<? extends Certificate> read(Path pem) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(pem);
    } catch (NoSuchFileException e) {
      throw new TlsFileException(
          pem, TlsFileException.Part.CA, "no such file (the CA certificate to trust)");
    } catch (IOException | SecurityException e) {
      throw new TlsFileException(pem, TlsFileException.Part.CA, "cannot read it: " + e);
    }
    try {
      Collection<? extends Certificate> certs =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(bytes));
      if (certs.isEmpty()) {
        throw new TlsFileException(
            pem,
            TlsFileException.Part.CA,
            "holds no certificate (expected -----BEGIN CERTIFICATE-----)");
      }
      return certs;
    } catch (GeneralSecurityException e) {
      throw new TlsFileException(
          pem, TlsFileException.Part.CA, "not a PEM certificate: " + e.getMessage());
    }
  }

  private static X509TrustManager jvmDefaults() throws GeneralSecurityException {
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init((KeyStore) null);
    for (TrustManager tm : tmf.getTrustManagers()) {
      if (tm instanceof X509TrustManager x) {
        return x;
      }
    }
    throw new GeneralSecurityException("the JVM has no X.509 trust manager");
  }
}
