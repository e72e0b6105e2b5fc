package dev.waterfall.relay.rtmp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.protocol.LogAddresses;
import dev.waterfall.protocol.tls.PemKeyPair;
import dev.waterfall.protocol.tls.Presented;
import dev.waterfall.protocol.tls.TestCertificates;
import dev.waterfall.relay.key.PublishKey;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gate's RTMPS port: TLS with the certificate it is given at each connection, and nothing else.
 * (Real ffmpeg publishers over rtmps:// are in FfmpegSourceTest.)
 */
@DisplayName("the RTMP gate with a certificate (RTMPS)")
class RtmpsGateTest {
  @TempDir Path dir;
  TestCertificates.Ca ca;
  Path cert;
  Path key;
  AtomicInteger opened = new AtomicInteger();
  RtmpGate.Encoder encoder =
      () -> {
        opened.incrementAndGet();
        return OutputStream.nullOutputStream();
      };

  @BeforeEach
  void certificate() {
    TestCertificates.assumeOpenssl();
    ca = TestCertificates.newCa(dir, "lab");
    cert = dir.resolve("cert.pem");
    key = dir.resolve("key.pem");
  }

  @Test
  @DisplayName(
      "a plain RTMP client on the RTMPS port is closed at its handshake (a clean end, no answer),"
          + " opens no encoder, and the port still speaks TLS")
  void plainRtmpIsRefused() throws Exception {
    TestCertificates.issue(ca, cert, key, 10);
    PemKeyPair pair = PemKeyPair.load(cert, key);
    try (RtmpGate gate = gate(() -> pair)) {
      assertThat(gate.secure()).isTrue();
      try (Socket s = new Socket("127.0.0.1", gate.port())) {
        s.setSoTimeout(20_000);
        byte[] c0c1 = new byte[1 + 1536];
        c0c1[0] = 3;
        s.getOutputStream().write(c0c1);
        InputStream in = s.getInputStream();
        assertThat(in.read()).as("no S0: the connection ends").isEqualTo(-1);
      }
      assertThat(opened.get()).isZero();
      assertThat(serialPresented(gate)).isEqualTo(pair.certificate().getSerialNumber());
    }
  }

  @Test
  @DisplayName("a renewed certificate is presented to the next connection, without a restart")
  void presentsTheCurrentCertificate() throws Exception {
    TestCertificates.issue(ca, cert, key, 10);
    AtomicReference<PemKeyPair> current = new AtomicReference<>(PemKeyPair.load(cert, key));
    try (RtmpGate gate = gate(current::get)) {
      BigInteger first = serialPresented(gate);
      assertThat(first).isEqualTo(current.get().certificate().getSerialNumber());

      TestCertificates.issue(ca, cert, key, 90);
      current.set(PemKeyPair.load(cert, key));
      BigInteger renewed = serialPresented(gate);
      assertThat(renewed)
          .isEqualTo(current.get().certificate().getSerialNumber())
          .isNotEqualTo(first);
    }
  }

  private RtmpGate gate(java.util.function.Supplier<PemKeyPair> certificate) throws Exception {
    return RtmpGate.start(
        "127.0.0.1", 0, "demo", new PublishKey("k"), encoder, LogAddresses.of(false), certificate);
  }

  /** A TLS handshake that trusts only the lab CA; the serial of the certificate presented. */
  private BigInteger serialPresented(RtmpGate gate) throws Exception {
    // a busy machine: a cold TLS handshake took > 5 s under load 15
    try (SSLSocket s = Presented.handshake(gate.port(), ca.cert(), 20_000)) {
      // and RTMP inside: C0 C1 answered with S0
      byte[] c0c1 = new byte[1 + 1536];
      c0c1[0] = 3;
      s.getOutputStream().write(c0c1);
      s.getOutputStream().flush();
      assertThat(s.getInputStream().read()).as("S0").isEqualTo(3);
      return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }
}
