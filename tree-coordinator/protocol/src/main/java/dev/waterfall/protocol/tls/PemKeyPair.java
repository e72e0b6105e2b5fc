package dev.waterfall.protocol.tls;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import javax.net.ssl.X509KeyManager;

/**
 * A server's certificate chain and private key, read from PEM files (what Caddy, certbot, acme.sh
 * and openssl write) and checked to belong together. Read into memory and handed to Vert.x as
 * values, so what was checked is exactly what is served, even if the files change meanwhile.
 */
public final class PemKeyPair {
  private final Path certPath;
  private final Path keyPath;
  private final Buffer cert;
  private final Buffer key;
  private final X509Certificate leaf;
  private final FileStamp stamp;

  private PemKeyPair(
      Path certPath, Path keyPath, Buffer cert, Buffer key, X509Certificate leaf, FileStamp stamp) {
    this.certPath = certPath;
    this.keyPath = keyPath;
    this.cert = cert;
    this.key = key;
    this.leaf = leaf;
    this.stamp = stamp;
  }

  /**
   * Reads and checks both files.
   *
   * @throws TlsFileException naming the file at fault: unreadable, not PEM, or a key of another
   *     certificate
   */
  public static PemKeyPair load(Path certPath, Path keyPath) {
    FileStamp stamp = FileStamp.of(certPath, keyPath);
    byte[] certBytes = read(certPath, TlsFileException.Part.CERTIFICATE);
    byte[] keyBytes = read(keyPath, TlsFileException.Part.KEY);
    List<X509Certificate> chain = certificates(certPath, certBytes);
    Buffer cert = Buffer.buffer(certBytes);
    Buffer key = Buffer.buffer(keyBytes);
    PemKeyCertOptions options = new PemKeyCertOptions().setCertValue(cert).setKeyValue(key);
    KeyStore store;
    X509KeyManager keys;
    try {
      // Values, not paths: Vert.x then needs no Vertx instance to parse them.
      store = options.loadKeyStore(null);
      keys =
          java.util.Arrays.stream(options.getKeyManagerFactory(null).getKeyManagers())
              .filter(X509KeyManager.class::isInstance)
              .map(X509KeyManager.class::cast)
              .findFirst()
              .orElseThrow();
    } catch (Exception e) {
      // an RSA key with an EC certificate, say
      if (String.valueOf(e.getMessage()).contains("does not match")) {
        throw notAPair(certPath, keyPath);
      }
      throw new TlsFileException(
          keyPath,
          TlsFileException.Part.KEY,
          "not a PEM private key (PKCS#8 'PRIVATE KEY', 'RSA PRIVATE KEY' or"
              + " 'EC PRIVATE KEY'): "
              + e.getMessage());
    }
    checkBelongTogether(store, keys, chain.get(0), certPath, keyPath);
    return new PemKeyPair(certPath, keyPath, cert, key, chain.get(0), stamp);
  }

  /**
   * What a Vert.x server needs to present this certificate (HTTP/1.1 only: no ALPN, as without
   * TLS).
   */
  public ServerSSLOptions sslOptions() {
    return new ServerSSLOptions().setKeyCertOptions(keyCertOptions());
  }

  public PemKeyCertOptions keyCertOptions() {
    return new PemKeyCertOptions().setCertValue(cert.copy()).setKeyValue(key.copy());
  }

  /** The files' modification times and sizes when they were read. */
  public FileStamp stamp() {
    return stamp;
  }

  public Path certPath() {
    return certPath;
  }

  public Path keyPath() {
    return keyPath;
  }

  public X509Certificate certificate() {
    return leaf;
  }

  public Instant notAfter() {
    return leaf.getNotAfter().toInstant();
  }

  /**
   * For logs: subject (or, as in Caddy's and ACME certificates, the names it is for), serial,
   * expiry.
   */
  public String describe() {
    String subject = leaf.getSubjectX500Principal().getName();
    if (subject.isEmpty()) {
      try {
        subject =
            leaf.getSubjectAlternativeNames() == null
                ? "(no subject)"
                : "for "
                    + leaf.getSubjectAlternativeNames().stream()
                        .map(n -> String.valueOf(n.get(1)))
                        .toList();
      } catch (java.security.cert.CertificateParsingException e) {
        subject = "(no subject)";
      }
    }
    return subject
        + ", serial "
        + leaf.getSerialNumber().toString(16)
        + ", valid until "
        + notAfter();
  }

  private static byte[] read(Path path, TlsFileException.Part part) {
    String what = part == TlsFileException.Part.KEY ? "private key" : "certificate";
    try {
      return Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw new TlsFileException(path, part, "no such file (the " + what + ")");
    } catch (IOException | SecurityException e) {
      throw new TlsFileException(path, part, "cannot read the " + what + ": " + e);
    }
  }

  private static List<X509Certificate> certificates(Path path, byte[] pem) {
    Collection<? extends Certificate> certs;
    try {
      certs =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(pem));
    } catch (GeneralSecurityException e) {
      throw new TlsFileException(
          path, TlsFileException.Part.CERTIFICATE, "not a PEM certificate: " + e.getMessage());
    }
    if (certs.isEmpty()) {
      throw new TlsFileException(
          path,
          TlsFileException.Part.CERTIFICATE,
          "holds no certificate (expected -----BEGIN CERTIFICATE-----)");
    }
    return certs.stream().map(X509Certificate.class::cast).toList();
  }

  /**
   * TLS libraries accept a key and a certificate that do not match and fail only at the first
   * handshake; a renewal caught between writing the new certificate and the new key would do
   * exactly that. Signing a nonce with the key and verifying it with the certificate catches it
   * before the server presents the pair.
   */
  private static void checkBelongTogether(
      KeyStore store, X509KeyManager keys, X509Certificate leaf, Path certPath, Path keyPath) {
    PrivateKey privateKey = null;
    try {
      for (String alias : Collections.list(store.aliases())) {
        privateKey = keys.getPrivateKey(alias);
        if (privateKey != null) {
          break;
        }
      }
    } catch (GeneralSecurityException e) {
      // fall through to the message below
    }
    if (privateKey == null) {
      throw new TlsFileException(keyPath, TlsFileException.Part.KEY, "no private key found in it");
    }
    String algorithm = signatureAlgorithm(privateKey);
    if (algorithm == null) {
      return; // a key type we cannot test; the handshake will tell
    }
    try {
      byte[] nonce = new byte[32];
      new SecureRandom().nextBytes(nonce);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(privateKey);
      signer.update(nonce);
      byte[] signature = signer.sign();
      PublicKey publicKey = leaf.getPublicKey();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(nonce);
      if (verifier.verify(signature)) {
        return;
      }
    } catch (GeneralSecurityException e) {
      // a key of another type than the certificate's: not a pair
    }
    throw notAPair(certPath, keyPath);
  }

  private static TlsFileException notAPair(Path certPath, Path keyPath) {
    return new TlsFileException(
        keyPath,
        TlsFileException.Part.KEY,
        "this key does not belong to the certificate in "
            + certPath
            + " (another key, or a renewal caught half written)");
  }

  private static String signatureAlgorithm(PrivateKey key) {
    return switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> null;
    };
  }
}
