package dev.waterfall.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.coordinator.support.RawSocket;
import dev.waterfall.coordinator.support.TestCoordinator;
import io.vertx.core.Vertx;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("signalling.joinTimeoutMs: a socket that never joins is closed, one that joins stays")
class JoinTimeoutTest {
  private static TestCoordinator coordinator;
  private static Vertx vertx;

  @BeforeAll
  static void start() throws Exception {
    coordinator =
        TestCoordinator.start(
            Map.of(
                "signalling.joinTimeoutMs",
                "1000",
                "liveness.heartbeatIntervalMs",
                "500",
                "liveness.missedHeartbeats",
                "40"));
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close();
    coordinator.close();
  }

  @Test
  void anIdleSocketIsToldAndClosedWhileAJoinedOneStays() throws Exception {
    coordinator.createStream("idle");
    try (RawSocket idle = RawSocket.connect(vertx, coordinator.baseUrl);
        RawSocket joined = RawSocket.connect(vertx, coordinator.baseUrl)) {
      joined.send("{\"v\":1,\"type\":\"join\",\"stream\":\"idle\",\"role\":\"viewer\"}");
      assertThat(joined.next(5000).path("type").asText()).isEqualTo("welcome");

      assertThat(idle.nextErrorCode(10_000)).isEqualTo("join-timeout");
      assertThat(idle.awaitClosed(5000)).isTrue();
      assertThat(idle.closeCode()).isEqualTo((short) 1008);
      assertThat(joined.isClosed()).isFalse();
    }
  }
}
