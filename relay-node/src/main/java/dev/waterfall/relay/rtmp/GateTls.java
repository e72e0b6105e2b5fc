package dev.waterfall.relay.rtmp;

import dev.waterfall.protocol.tls.PemKeyPair;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * RTMPS on the gate's port: TLS on each accepted socket, in the connection's own thread and under
 * its setup deadline, with the certificate {@code certificate} gives at that moment, so a renewal
 * the origin's HTTPS picked up reaches the next publisher too. Only TLS is spoken: a plain {@code
 * rtmp://} client would send the stream key in the clear, so it is closed at its first byte.
 */
final class GateTls {
  /** RTMP's C0 (its version byte); TLS starts with 0x16 (a handshake record). */
  private static final int PLAIN_RTMP = 3;

  private final Supplier<PemKeyPair> certificate;
  private PemKeyPair built;
  private SSLSocketFactory factory;

  GateTls(Supplier<PemKeyPair> certificate) {
    this.certificate = certificate;
  }

  /** The TLS side of {@code raw}, handshake done; refuses a client that is not speaking TLS. */
  Socket accept(Socket raw) throws IOException, RtmpException {
    int first = raw.getInputStream().read();
    if (first < 0) {
      throw new EOFException("closed before the TLS handshake");
    }
    if (first == PLAIN_RTMP) {
      // FIN, not RST: take its C1 (sent with C0) before closing, so it reads a clean end
      raw.shutdownOutput();
      raw.getInputStream().readNBytes(1536);
      throw new RtmpException(
          "plain RTMP on the RTMPS port (the origin has --tls-cert): the client must use rtmps://");
    }
    SSLSocket tls =
        (SSLSocket)
            factory().createSocket(raw, new ByteArrayInputStream(new byte[] {(byte) first}), true);
    tls.setUseClientMode(false);
    tls.startHandshake();
    return tls;
  }

  /** One SSLContext per certificate pair, rebuilt only when the pair changed. */
  private synchronized SSLSocketFactory factory() throws IOException {
    PemKeyPair now = certificate.get();
    if (now != built) {
      try {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(now.keyCertOptions().getKeyManagerFactory(null).getKeyManagers(), null, null);
        factory = context.getSocketFactory();
        built = now;
      } catch (Exception e) {
        // PemKeyPair.load parsed the same values already; Vert.x declares Exception
        throw new IOException("cannot present " + now.describe() + ": " + e, e);
      }
    }
    return factory;
  }
}
