package dev.waterfall.relay.rtmp;

import dev.waterfall.protocol.LogAddresses;
import dev.waterfall.protocol.tls.PemKeyPair;
import dev.waterfall.relay.key.PublishKey;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The origin's RTMP port ({@code publish --rtmp}): only a publisher whose stream key (the name it
 * publishes, OBS's "Stream Key") is the stream's current publish key gets through. ffmpeg's own
 * listener ({@code -listen 1}) checks no name, so this gate speaks RTMP itself up to the {@code
 * publish} command ({@link RtmpConnection}), checks the key there, and only then opens the encoder
 * and hands it the publisher's audio and video as FLV. A refused publisher never reaches ffmpeg, so
 * it cannot take the encoder's place or make it restart.
 *
 * <p>With a certificate the port speaks RTMPS only ({@link GateTls}): the key check is the same,
 * inside TLS.
 *
 * <p>One publisher at a time; a few connections may be in their handshake meanwhile ({@link
 * #MAX_CONNECTIONS}), each with a deadline, so idle or hostile sockets cannot hold the port.
 */
public final class RtmpGate implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RtmpGate.class);
  static final int MAX_CONNECTIONS = 8;

  /** Where an admitted publisher's FLV goes: one encoder run per publisher, closed at its end. */
  public interface Encoder {
    OutputStream open() throws IOException;
  }

  private final ServerSocket server;
  private final String stream;
  private final PublishKey key;
  private final Encoder encoder;
  private final LogAddresses addresses;
  private final GateTls tls;
  private final Thread acceptor;
  private final AtomicInteger open = new AtomicInteger();
  final AtomicBoolean publishing = new AtomicBoolean();
  private volatile boolean closed;

  private RtmpGate(
      ServerSocket server,
      String stream,
      PublishKey key,
      Encoder encoder,
      LogAddresses addresses,
      GateTls tls) {
    this.server = server;
    this.stream = stream;
    this.key = key;
    this.encoder = encoder;
    this.addresses = addresses;
    this.tls = tls;
    this.acceptor = new Thread(this::accept, "rtmp-" + stream);
    this.acceptor.setDaemon(true);
  }

  /** Plain RTMP on {@code bind:port} (0: any free port). */
  public static RtmpGate start(
      String bind, int port, String stream, PublishKey key, Encoder encoder, LogAddresses addresses)
      throws IOException {
    return start(bind, port, stream, key, encoder, addresses, null);
  }

  /**
   * The same, RTMPS only when {@code certificate} is not null: each handshake presents the pair it
   * gives then (the origin's HTTPS certificate, renewals included).
   */
  public static RtmpGate start(
      String bind,
      int port,
      String stream,
      PublishKey key,
      Encoder encoder,
      LogAddresses addresses,
      Supplier<PemKeyPair> certificate)
      throws IOException {
    ServerSocket server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress(InetAddress.getByName(bind), port), MAX_CONNECTIONS);
    RtmpGate gate =
        new RtmpGate(
            server,
            stream,
            key,
            encoder,
            addresses,
            certificate == null ? null : new GateTls(certificate));
    gate.acceptor.start();
    return gate;
  }

  public int port() {
    return server.getLocalPort();
  }

  /** True when the port speaks RTMPS ({@code rtmps://}). */
  public boolean secure() {
    return tls != null;
  }

  /** The socket RTMP is spoken on: {@code raw}, or its TLS side on an RTMPS port. */
  Socket secured(Socket raw) throws IOException, RtmpException {
    return tls == null ? raw : tls.accept(raw);
  }

  private void accept() {
    while (!closed) {
      Socket socket;
      try {
        socket = server.accept();
      } catch (IOException e) {
        if (!closed) {
          LOG.warn("RTMP port of '{}': {}", stream, e.toString());
        }
        return;
      }
      if (open.incrementAndGet() > MAX_CONNECTIONS) {
        open.decrementAndGet();
        LOG.warn(
            "RTMP: {} refused, {} connections open already",
            addresses.of(socket.getInetAddress().getHostAddress()),
            MAX_CONNECTIONS);
        closeQuietly(socket);
        continue;
      }
      Thread t =
          new Thread(
              () -> {
                try {
                  new RtmpConnection(socket, this).run();
                } finally {
                  open.decrementAndGet();
                  closeQuietly(socket);
                }
              },
              "rtmp-" + stream + "-conn");
      t.setDaemon(true);
      t.start();
    }
  }

  String stream() {
    return stream;
  }

  boolean admits(String streamKey) {
    return key.matches(streamKey);
  }

  Encoder encoder() {
    return encoder;
  }

  String show(Socket socket) {
    return addresses.of(socket.getInetAddress().getHostAddress());
  }

  static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
