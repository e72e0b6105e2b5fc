package dev.waterfall.protocol.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName(
    "PEM certificate and key: read, checked to belong together, refused with the file named")
class PemKeyPairTest {
  @TempDir Path dir;
  TestCertificates.Ca ca;

  @BeforeEach
  void ca() {
    TestCertificates.assumeOpenssl();
    ca = TestCertificates.newCa(dir, "lab");
  }

  @Test
  void readsAnEcKeyInPkcs8AndAnRsaKeyInPkcs1() throws Exception {
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    String serial = TestCertificates.issue(ca, cert, key, 30);
    PemKeyPair ec = PemKeyPair.load(cert, key);
    assertThat(ec.certificate().getSerialNumber()).isEqualTo(new BigInteger(serial, 16));
    assertThat(ec.describe()).contains("serial " + serial).doesNotContain("PRIVATE");

    String rsaSerial = TestCertificates.issue(ca, cert, key, 30, "rsa");
    assertThat(Files.readString(key)).contains("BEGIN RSA PRIVATE KEY");
    assertThat(PemKeyPair.load(cert, key).certificate().getSerialNumber())
        .isEqualTo(new BigInteger(rsaSerial, 16));
  }

  @Test
  void aKeyOfAnotherCertificateIsRefused() throws Exception {
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    TestCertificates.issue(ca, cert, key, 30);
    Path otherKey = dir.resolve("other.key");
    TestCertificates.issue(ca, dir.resolve("other.pem"), otherKey, 30);
    assertThatThrownBy(() -> PemKeyPair.load(cert, otherKey))
        .isInstanceOf(TlsFileException.class)
        .hasMessageContaining(otherKey.toString())
        .hasMessageContaining("does not belong to the certificate");
    // An RSA key with an EC certificate: not a pair either.
    TestCertificates.issue(ca, dir.resolve("rsa.pem"), otherKey, 30, "rsa");
    assertThatThrownBy(() -> PemKeyPair.load(cert, otherKey))
        .hasMessageContaining("does not belong");
  }

  @Test
  void missingOrGarbledFilesAreNamed() throws Exception {
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    TestCertificates.issue(ca, cert, key, 30);
    Path missing = dir.resolve("nope.pem");
    assertThatThrownBy(() -> PemKeyPair.load(missing, key))
        .isInstanceOf(TlsFileException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("no such file");
    Path garbage = Files.writeString(dir.resolve("garbage.pem"), "hello\n");
    assertThatThrownBy(() -> PemKeyPair.load(garbage, key))
        .hasMessageContaining(garbage.toString())
        .hasMessageContaining("certificate");
    assertThatThrownBy(() -> PemKeyPair.load(cert, garbage))
        .hasMessageContaining(garbage.toString())
        .hasMessageContaining("private key");
    // The certificate where the key should be: a classic slip.
    assertThatThrownBy(() -> PemKeyPair.load(cert, cert)).hasMessageContaining("private key");
  }
}
