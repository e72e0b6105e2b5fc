package dev.waterfall.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the demo says how to get P2P from another machine")
class DemoHintTest {
  @Test
  void plainHttpPointsAtTlsCaddyAndATunnel() {
    String hint = String.join("\n", DemoCommand.remoteHint(false, "127.0.0.1", 8080, 8090, 8091));
    assertThat(hint)
        .contains(
            "secure context",
            "https, or localhost",
            "plain HLS only",
            "--host 0.0.0.0",
            "http.tls.certPath",
            "http.tls.keyPath",
            "docs/deployment.md",
            "Caddy",
            "ssh -L 8080:127.0.0.1:8080 -L 8090:127.0.0.1:8090 -L 8091:127.0.0.1:8091");
    assertThat(String.join("\n", DemoCommand.remoteHint(false, "0.0.0.0", 8080, 8090, 8091)))
        .doesNotContain("--host 0.0.0.0");
  }

  @Test
  void overTlsThereIsNothingToAdd() {
    assertThat(DemoCommand.remoteHint(true, "0.0.0.0", 8443, 8090, 8091))
        .hasSize(1)
        .first()
        .asString()
        .contains("https");
  }
}
