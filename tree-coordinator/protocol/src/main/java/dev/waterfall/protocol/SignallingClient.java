package dev.waterfall.protocol;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.TrustOptions;
import java.net.URI;

/**
 * A node's signalling connection to a coordinator's {@code /ws}: typed send and receive over one
 * WebSocket. Used by relay-node, the load generator and the tests. Messages the client cannot
 * decode are handed to {@link #onUndecodable} rather than dropped silently.
 */
public final class SignallingClient {
  private final WebSocketClient client;
  private final WebSocket socket;
  // A server may answer and close before the caller has set its handlers (a refusal on connect, a
  // coordinator shutting down): messages wait for onMessage, and a close is reported to onClose
  // whenever it is set.
  private Handler<Message> messageHandler;
  private final java.util.List<Message> early = new java.util.ArrayList<>();
  private volatile Handler<ProtocolException> undecodableHandler = e -> {};
  private Handler<Void> closeHandler;
  private boolean closed;
  private boolean closeReported;

  private SignallingClient(WebSocketClient client, WebSocket socket) {
    this.client = client;
    this.socket = socket;
    socket.textMessageHandler(
        text -> {
          Message m;
          try {
            m = MessageCodec.decode(text);
          } catch (ProtocolException e) {
            undecodableHandler.handle(e);
            return;
          }
          deliver(m);
        });
    socket.closeHandler(
        v -> {
          client.close();
          synchronized (this) {
            closed = true;
          }
          reportClose();
        });
  }

  /**
   * Connects to {@code baseUrl} (http://host:port or ws://host:port; the path {@code /ws} is
   * added).
   */
  public static Future<SignallingClient> connect(Vertx vertx, String baseUrl) {
    return connect(vertx, baseUrl, null);
  }

  /**
   * As {@link #connect(Vertx, String)}; an https or wss {@code baseUrl} is checked against {@code
   * trust} (null: the JVM's certificate authorities), with its host name verified.
   */
  public static Future<SignallingClient> connect(Vertx vertx, String baseUrl, TrustOptions trust) {
    URI uri = URI.create(baseUrl);
    boolean tls = "https".equals(uri.getScheme()) || "wss".equals(uri.getScheme());
    int port = uri.getPort() > 0 ? uri.getPort() : (tls ? 443 : 80);
    WebSocketClientOptions clientOptions =
        new WebSocketClientOptions()
            .setMaxFrameSize(1 << 20)
            .setMaxMessageSize(1 << 20)
            .setSsl(tls)
            .setVerifyHost(true);
    if (trust != null) {
      clientOptions.setTrustOptions(trust);
    }
    WebSocketClient client = vertx.createWebSocketClient(clientOptions);
    WebSocketConnectOptions options =
        new WebSocketConnectOptions()
            .setHost(uri.getHost())
            .setPort(port)
            .setSsl(tls)
            .setURI("/ws");
    return client
        .connect(options)
        .map(ws -> new SignallingClient(client, ws))
        .onFailure(e -> client.close());
  }

  public SignallingClient onMessage(Handler<Message> handler) {
    java.util.List<Message> backlog;
    synchronized (this) {
      this.messageHandler = handler;
      backlog = new java.util.ArrayList<>(early);
      early.clear();
    }
    backlog.forEach(handler::handle);
    return this;
  }

  private void deliver(Message m) {
    Handler<Message> h;
    synchronized (this) {
      h = messageHandler;
      if (h == null) {
        early.add(m);
        return;
      }
    }
    h.handle(m);
  }

  private void reportClose() {
    Handler<Void> h;
    synchronized (this) {
      if (!closed || closeReported || closeHandler == null) {
        return;
      }
      closeReported = true;
      h = closeHandler;
    }
    h.handle(null);
  }

  public SignallingClient onUndecodable(Handler<ProtocolException> handler) {
    this.undecodableHandler = handler;
    return this;
  }

  /**
   * The handler is called once, when the socket closes, or at once if it already has; it replaces
   * the last one.
   */
  public SignallingClient onClose(Handler<Void> handler) {
    synchronized (this) {
      this.closeHandler = handler;
      this.closeReported = false;
    }
    reportClose();
    return this;
  }

  public Future<Void> send(Message message) {
    return socket.writeTextMessage(MessageCodec.encode(message));
  }

  /** Sends raw text, bypassing the codec: for tests of what the server does with bad input. */
  public Future<Void> sendRaw(String text) {
    return socket.writeTextMessage(text);
  }

  /** The certificate the coordinator presented on this socket (null over plain ws). */
  public java.security.cert.X509Certificate serverCertificate() {
    try {
      return socket.isSsl()
          ? (java.security.cert.X509Certificate) socket.peerCertificates().get(0)
          : null;
    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
      return null;
    }
  }

  public boolean isClosed() {
    return socket.isClosed();
  }

  public Future<Void> close() {
    return socket.close();
  }
}
