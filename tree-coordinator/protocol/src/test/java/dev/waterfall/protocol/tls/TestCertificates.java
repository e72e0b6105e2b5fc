package dev.waterfall.protocol.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates made at test time with the {@code openssl} command (never committed): a lab CA and
 * server certificates it signs for 127.0.0.1 and localhost. Tests call {@link #assumeOpenssl()}
 * first and are skipped where openssl is missing. Shared with the coordinator's and the relay's
 * tests through this module's test-jar.
 */
public final class TestCertificates {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A CA: its certificate (what clients trust) and key. */
  public record Ca(Path cert, Path key) {}

  private TestCertificates() {}

  public static boolean opensslPresent() {
    try {
      Process p = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Skips the calling test when there is no openssl on this machine. */
  public static void assumeOpenssl() {
    org.junit.jupiter.api.Assumptions.assumeTrue(opensslPresent(), "openssl is not installed");
  }

  /** A new self-signed CA in {@code dir}. */
  public static Ca newCa(Path dir, String name) {
    Path cert = dir.resolve(name + "-ca.pem");
    Path key = dir.resolve(name + "-ca.key");
    run(
        dir,
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        key.toString(),
        "-out",
        cert.toString(),
        "-days",
        "3",
        "-subj",
        "/CN=" + name + " test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign");
    return new Ca(cert, key);
  }

  /**
   * A server certificate for 127.0.0.1 and localhost signed by {@code ca}, valid {@code days}, with
   * a random serial (returned, in hex); written to {@code cert} and {@code key}, replacing what is
   * there.
   */
  public static String issue(Ca ca, Path cert, Path key, int days) {
    return issue(ca, cert, key, days, "ec");
  }

  /**
   * As {@link #issue(Ca, Path, Path, int)}; {@code keyType} "ec" (PKCS#8) or "rsa" (PKCS#1, 'RSA
   * PRIVATE KEY').
   */
  public static String issue(Ca ca, Path cert, Path key, int days, String keyType) {
    Path dir = cert.toAbsolutePath().getParent();
    String serial = new java.math.BigInteger(63, RANDOM).toString(16);
    Path csr = tmp(dir, ".csr");
    Path newKey = tmp(dir, ".key");
    Path newCert = tmp(dir, ".pem");
    Path ext = tmp(dir, ".ext");
    try {
      Files.writeString(
          ext,
          "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
              + "extendedKeyUsage=serverAuth\n");
      List<String> req =
          new ArrayList<>(
              List.of(
                  "openssl",
                  "req",
                  "-new",
                  "-nodes",
                  "-keyout",
                  newKey.toString(),
                  "-out",
                  csr.toString(),
                  "-subj",
                  "/CN=waterfall test " + serial));
      req.addAll(
          keyType.equals("rsa")
              ? List.of("-newkey", "rsa:2048")
              : List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"));
      run(dir, req.toArray(String[]::new));
      if (keyType.equals("rsa")) {
        run(
            dir,
            "openssl",
            "rsa",
            "-in",
            newKey.toString(),
            "-out",
            newKey.toString(),
            "-traditional");
      }
      run(
          dir,
          "openssl",
          "x509",
          "-req",
          "-in",
          csr.toString(),
          "-CA",
          ca.cert().toString(),
          "-CAkey",
          ca.key().toString(),
          "-set_serial",
          "0x" + serial,
          "-days",
          Integer.toString(days),
          "-extfile",
          ext.toString(),
          "-out",
          newCert.toString());
      // As a renewal does it: the new files land whole, by rename.
      Files.move(
          newKey,
          key,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      Files.move(
          newCert,
          cert,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      Files.deleteIfExists(csr);
      Files.deleteIfExists(ext);
      return serial;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Path tmp(Path dir, String suffix) {
    try {
      return Files.createTempFile(dir, "tc", suffix);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void run(Path dir, String... command) {
    try {
      Process p =
          new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
