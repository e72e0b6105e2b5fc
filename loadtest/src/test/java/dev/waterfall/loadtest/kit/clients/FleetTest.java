package dev.waterfall.loadtest.kit.clients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.loadtest.run.Deadline;
import dev.waterfall.loadtest.run.Progress;
import dev.waterfall.protocol.Message;
import dev.waterfall.protocol.MessageCodec;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fleet's one setting against stub coordinators: a dropped node stays gone, or resumes on the
 * next one.
 */
class FleetTest {
  private final Vertx vertx = Vertx.vertx();
  private final Progress progress =
      new Progress(new PrintStream(OutputStream.nullOutputStream()), false);

  @AfterEach
  void stop() throws Exception {
    progress.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /**
   * Welcomes a join as node n1 under p, a resume as resumed; closes the socket after a join when
   * told to.
   */
  private String coordinator(boolean dropAfterJoin) throws Exception {
    HttpServer server =
        vertx
            .createHttpServer()
            .webSocketHandler(
                ws ->
                    ws.textMessageHandler(
                        text -> {
                          boolean resume = text.contains("resumeToken"); // a join carries none
                          ws.writeTextMessage(
                              MessageCodec.encode(
                                  new Message.Welcome(
                                      "n1", "p", 1, 4, "t1", resume, 2000, null, null, null)));
                          if (dropAfterJoin && !resume) {
                            vertx.setTimer(100, t -> ws.close());
                          }
                        }));
    int port =
        server
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS)
            .actualPort();
    return "http://127.0.0.1:" + port;
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean() && System.nanoTime() < end) {
      Thread.sleep(20);
    }
  }

  @Test
  void aStayingNodeWhoseSocketDropsIsCountedAndStaysGone() throws Exception {
    try (Fleet fleet = Fleet.staying(List.of(coordinator(true)), 4)) {
      JoinBatch batch = fleet.join("join", "s", "viewer", null, 1, 1, progress, Deadline.in(10));
      assertThat(batch.joined.get()).isEqualTo(1);
      assertThat(batch.heartbeatIntervalMs).isEqualTo(2000);
      await(() -> fleet.dropped() == 1);
      Thread.sleep(500); // a resuming node would be back by now
      assertThat(fleet.dropped()).isEqualTo(1);
      assertThat(fleet.connected()).isZero();
      assertThat(fleet.resumes()).isEmpty();
      assertThat(fleet.joins()).isEmpty(); // samples are the resuming fleet's
    }
  }

  @Test
  void aResumingNodeResumesItsPlaceOnTheNextCoordinator() throws Exception {
    try (Fleet fleet = Fleet.resuming(List.of(coordinator(true), coordinator(false)), 4)) {
      fleet.join("join", "s", "viewer", null, 1, 1, progress, Deadline.in(10));
      await(() -> fleet.resumes().size() == 1);
      assertThat(fleet.dropsByCoordinator()).containsExactly(Map.entry("1", 1L));
      assertThat(fleet.resumes())
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.coordinator()).isEqualTo(1);
                assertThat(r.sameParent()).isTrue();
              });
      assertThat(fleet.joins()).singleElement().satisfies(j -> assertThat(j.trickle()).isFalse());
      assertThat(fleet.perCoordinator()).containsExactly(0, 1);
      assertThat(fleet.placesLost()).isZero();
    }
  }
}
