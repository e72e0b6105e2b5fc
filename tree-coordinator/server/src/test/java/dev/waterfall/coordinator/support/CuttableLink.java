package dev.waterfall.coordinator.support;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import java.net.URI;
import java.util.concurrent.TimeUnit;

/**
 * A TCP relay on 127.0.0.1 between test nodes and the coordinator that can go dark: from {@link
 * #cut()} on it forwards nothing either way and closes nothing, as a home whose line dropped. The
 * coordinator's socket then stays open until a timeout, and nothing it sends is answered.
 */
public final class CuttableLink implements AutoCloseable {
  private final NetServer server;
  private final NetClient client;
  private volatile boolean cut;

  /** The base URL to give a node instead of the coordinator's. */
  public final String baseUrl;

  private CuttableLink(NetServer server, NetClient client, String baseUrl) {
    this.server = server;
    this.client = client;
    this.baseUrl = baseUrl;
  }

  public static CuttableLink to(Vertx vertx, String coordinatorBaseUrl) throws Exception {
    URI target = URI.create(coordinatorBaseUrl);
    NetClient client = vertx.createNetClient();
    CuttableLink[] self = new CuttableLink[1];
    NetServer server =
        vertx
            .createNetServer()
            .connectHandler(
                in -> {
                  in.pause();
                  client
                      .connect(target.getPort(), target.getHost())
                      .onSuccess(
                          out -> {
                            in.handler(b -> forward(self[0], () -> out.write(b)));
                            out.handler(b -> forward(self[0], () -> in.write(b)));
                            in.closeHandler(v -> forward(self[0], out::close));
                            out.closeHandler(v -> forward(self[0], in::close));
                            in.resume();
                          })
                      .onFailure(e -> in.close());
                });
    server
        .listen(0, "127.0.0.1")
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    self[0] =
        new CuttableLink(
            server, client, "http://127.0.0.1:" + server.actualPort() + target.getRawPath());
    return self[0];
  }

  private static void forward(CuttableLink link, Runnable action) {
    if (link == null || !link.cut) {
      action.run();
    }
  }

  /** The line drops: nothing more passes either way, and no end is told. */
  public void cut() {
    cut = true;
  }

  @Override
  public void close() {
    server.close();
    client.close();
  }
}
