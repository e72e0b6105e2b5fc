package dev.waterfall.coordinator.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket to {@code /ws} below the protocol: raw text and binary frames out, raw JSON in, extra
 * request headers, and the close code the server chose. For tests of hostile clients and abuse
 * limits.
 */
public final class RawSocket implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final WebSocketClient client;
  private final ClientWebSocket socket;
  private final LinkedBlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
  private volatile boolean closed;
  private volatile Short closeCode;

  private RawSocket(WebSocketClient client, ClientWebSocket socket) {
    this.client = client;
    this.socket = socket;
    // Handlers before connecting: a server may answer (and close) the moment the upgrade completes.
    socket.textMessageHandler(
        text -> {
          try {
            inbox.add(JSON.readTree(text));
          } catch (Exception e) {
            inbox.add(JSON.createObjectNode().put("type", "undecodable").put("text", text));
          }
        });
    socket.exceptionHandler(e -> {});
    socket.closeHandler(
        v -> {
          closeCode = socket.closeStatusCode();
          closed = true;
          client.close();
        });
  }

  public static RawSocket connect(Vertx vertx, String baseUrl, Map<String, String> headers) {
    URI uri = URI.create(baseUrl);
    WebSocketClient client =
        vertx.createWebSocketClient(
            new WebSocketClientOptions().setMaxFrameSize(4 << 20).setMaxMessageSize(4 << 20));
    WebSocketConnectOptions options =
        new WebSocketConnectOptions().setHost(uri.getHost()).setPort(uri.getPort()).setURI("/ws");
    headers.forEach(options::addHeader);
    try {
      RawSocket raw = new RawSocket(client, client.webSocket());
      raw.socket
          .connect(options)
          .toCompletionStage()
          .toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
      return raw;
    } catch (Exception e) {
      client.close();
      throw new AssertionError("could not connect to " + baseUrl, e);
    }
  }

  public static RawSocket connect(Vertx vertx, String baseUrl) {
    return connect(vertx, baseUrl, Map.of());
  }

  public void send(String text) {
    if (!closed) {
      socket.writeTextMessage(text);
    }
  }

  public void sendBinary(byte[] bytes) {
    if (!closed) {
      socket.writeBinaryMessage(Buffer.buffer(bytes));
    }
  }

  /** The next message from the server, or null if none arrives in time. */
  public JsonNode next(long timeoutMs) {
    try {
      return inbox.poll(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  /** The code of the next {@code error}, skipping other messages; null if none arrives in time. */
  public String nextErrorCode(long timeoutMs) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      JsonNode m = next(Math.max(1, deadline - System.currentTimeMillis()));
      if (m != null && "error".equals(m.path("type").asText())) {
        return m.path("code").asText();
      }
    }
    return null;
  }

  public int pending() {
    return inbox.size();
  }

  public boolean awaitClosed(long ms) {
    long deadline = System.currentTimeMillis() + ms;
    while (!closed && System.currentTimeMillis() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
    return closed;
  }

  public boolean isClosed() {
    return closed;
  }

  /** The server's close code, once closed (null while open). */
  public Short closeCode() {
    return closeCode;
  }

  @Override
  public void close() {
    if (!closed) {
      socket.close();
    }
  }
}
