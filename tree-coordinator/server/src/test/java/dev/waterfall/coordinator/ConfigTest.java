package dev.waterfall.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.waterfall.coordinator.config.CoordinatorConfig;
import dev.waterfall.protocol.config.ConfigException;
import dev.waterfall.protocol.config.Settings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("configuration: defaults file, user file, environment, flags")
class ConfigTest {
  @Test
  void defaultsAreSafe() {
    CoordinatorConfig c = CoordinatorConfig.from(Settings.defaultsOnly());
    assertThat(c.http().host()).isEqualTo("127.0.0.1");
    assertThat(c.http().port()).isEqualTo(8080);
    assertThat(c.tree().maxChildren()).isEqualTo(4);
    assertThat(c.tree().repairStrategy()).isEqualTo("leaf-swap");
    assertThat(c.liveness().heartbeatIntervalMs()).isEqualTo(2000);
    assertThat(c.liveness().missedHeartbeats()).isEqualTo(3);
    assertThat(c.cluster().members()).isEmpty();
    assertThat(c.turn().enabled()).isFalse();
    assertThat(c.turn().ttlSeconds()).isEqualTo(3600);
  }

  @Test
  void turnNeedsUrlsAndASecretTogetherAndABoundedLifetime() {
    String secret = "a-turn-secret-for-config-tests-" + System.nanoTime();
    CoordinatorConfig c =
        CoordinatorConfig.from(
            Settings.load(
                null,
                Map.of("WATERFALL_ICE_TURN_SECRET", secret),
                Map.of(
                    "ice.turn.urls",
                    "turn:turn.example.org:3478?transport=udp, turns:turn.example.org:5349",
                    "ice.turn.ttlSeconds",
                    "600")));
    assertThat(c.turn().urls())
        .containsExactly("turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349");
    assertThat(c.turn().secret()).isEqualTo(secret);
    assertThat(c.turn().ttlSeconds()).isEqualTo(600);
    assertThat(c.turn().toString()).doesNotContain(secret);

    assertThatThrownBy(() -> load(Map.of("ice.turn.urls", "turn:t.example.org")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ice.turn.secret must be set");
    assertThatThrownBy(() -> load(Map.of("ice.turn.secret", secret)))
        .hasMessageContaining("ice.turn.urls is empty");
    assertThatThrownBy(
            () -> load(Map.of("ice.turn.urls", "stun:t.example.org", "ice.turn.secret", secret)))
        .hasMessageContaining("ice.turn.urls")
        .hasMessageContaining("turn:");
    assertThatThrownBy(
            () ->
                load(
                    Map.of(
                        "ice.turn.urls",
                        "turn:t.example.org?transport=sctp",
                        "ice.turn.secret",
                        secret)))
        .hasMessageContaining("ice.turn.urls");
    // A short secret is refused without repeating it.
    assertThatThrownBy(
            () ->
                load(
                    Map.of(
                        "ice.turn.urls", "turn:t.example.org", "ice.turn.secret", "tiny-secret")))
        .hasMessageContaining("at least 16")
        .message()
        .doesNotContain("tiny-secret");
    for (String ttl : List.of("59", "86401", "0", "an hour")) {
      assertThatThrownBy(
              () ->
                  load(
                      Map.of(
                          "ice.turn.urls",
                          "turn:t.example.org",
                          "ice.turn.secret",
                          secret,
                          "ice.turn.ttlSeconds",
                          ttl)))
          .as(ttl)
          .hasMessageContaining("ice.turn.ttlSeconds");
    }
    // TURN without credentials would make browsers refuse the whole ICE configuration.
    assertThatThrownBy(() -> load("ice.servers", "turn:t.example.org"))
        .hasMessageContaining("ice.turn.urls");
    assertThat(
            load("ice.servers", "stun:a.example.org:3478,stun:b.example.org")
                .signalling()
                .iceServers())
        .containsExactly("stun:a.example.org:3478", "stun:b.example.org");
  }

  @Test
  void layersOverrideInOrder(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("w.properties");
    Files.writeString(
        file, "http.port=9000\ntree.maxChildren=3\ncluster.members=10.0.0.2:5701, 10.0.0.3:5701\n");
    Settings s =
        Settings.load(
            file,
            Map.of(
                "WATERFALL_HTTP_PORT", "9100", "WATERFALL_ADMIN_TOKEN", "from-the-environment-123"),
            Map.of("tree.maxChildren", "2"));
    CoordinatorConfig c = CoordinatorConfig.from(s);
    assertThat(c.http().port()).isEqualTo(9100);
    assertThat(c.http().adminToken()).isEqualTo("from-the-environment-123");
    assertThat(c.tree().maxChildren()).isEqualTo(2);
    assertThat(c.cluster().members()).containsExactly("10.0.0.2:5701", "10.0.0.3:5701");
  }

  @Test
  void environmentNames() {
    assertThat(Settings.envName("http.port")).isEqualTo("WATERFALL_HTTP_PORT");
    assertThat(Settings.envName("admin.token")).isEqualTo("WATERFALL_ADMIN_TOKEN");
    assertThat(Settings.envName("signalling.maxMessageBytes"))
        .isEqualTo("WATERFALL_SIGNALLING_MAX_MESSAGE_BYTES");
  }

  @Test
  void badValuesAreRefusedWithTheKeyNamed() {
    assertThatThrownBy(() -> load("http.port", "eighty"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("http.port");
    assertThatThrownBy(() -> load("http.port", "70000")).hasMessageContaining("out of range");
    assertThatThrownBy(() -> load("tree.repairStrategy", "magic"))
        .hasMessageContaining("leaf-swap");
    assertThatThrownBy(() -> load("cluster.members", "10.0.0.2:5701-5703"))
        .hasMessageContaining("host:port");
    assertThatThrownBy(() -> load("admin.token", "short")).hasMessageContaining("16");
    assertThatThrownBy(() -> load("ice.servers", "http://x")).hasMessageContaining("stun:");
    assertThatThrownBy(() -> load("no.such.key", "1"))
        .hasMessageContaining("unknown setting 'no.such.key'");
    assertThatThrownBy(() -> load("http.publicUrl", "https://live.example.org/watch"))
        .hasMessageContaining("no path");
    assertThatThrownBy(() -> load("http.publicUrl", "ftp://live.example.org"))
        .hasMessageContaining("http.publicUrl");
  }

  @Test
  void thePublicUrlIsConfiguredOrDerivedFromTheBoundAddress() {
    assertThat(
            load("http.publicUrl", "https://live.example.org/").http().publicUrl(8080, "10.0.0.2"))
        .isEqualTo("https://live.example.org");
    assertThat(load("http.port", "0").http().publicUrl(41234, "10.0.0.2"))
        .isEqualTo("http://127.0.0.1:41234");
    assertThat(load("http.host", "0.0.0.0").http().publicUrl(8080, "10.0.0.2"))
        .isEqualTo("http://10.0.0.2:8080");
  }

  @Test
  void tlsIsOffByDefaultAndNeedsBothFiles(@TempDir Path dir) throws Exception {
    assertThat(CoordinatorConfig.from(Settings.defaultsOnly()).http().tls().enabled()).isFalse();
    assertThat(CoordinatorConfig.from(Settings.defaultsOnly()).http().tls().reloadCheckSeconds())
        .isEqualTo(60);
    assertThatThrownBy(() -> load("http.tls.certPath", "/etc/ssl/cert.pem"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("http.tls.certPath and http.tls.keyPath go together")
        .hasMessageContaining("http.tls.keyPath is empty");
    assertThatThrownBy(() -> load("http.tls.keyPath", "/etc/ssl/key.pem"))
        .hasMessageContaining("http.tls.certPath is empty");
    assertThatThrownBy(() -> load("http.tls.reloadCheckSeconds", "-1"))
        .hasMessageContaining("http.tls.reloadCheckSeconds");
    Path missing = dir.resolve("missing.pem");
    assertThatThrownBy(() -> tls(missing, missing))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("http.tls.certPath = '" + missing + "'")
        .hasMessageContaining("no such file");
  }

  @Test
  void tlsFilesAreCheckedBeforeTheCoordinatorStarts(@TempDir Path dir) throws Exception {
    dev.waterfall.protocol.tls.TestCertificates.assumeOpenssl();
    var ca = dev.waterfall.protocol.tls.TestCertificates.newCa(dir, "lab");
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    dev.waterfall.protocol.tls.TestCertificates.issue(ca, cert, key, 10);
    CoordinatorConfig c = tls(cert, key);
    assertThat(c.http().tls().enabled()).isTrue();
    // Without http.publicUrl the URL nodes are given says https.
    assertThat(c.http().publicUrl(8443, "10.0.0.2")).isEqualTo("https://127.0.0.1:8443");

    Path otherKey = dir.resolve("other.key");
    dev.waterfall.protocol.tls.TestCertificates.issue(ca, dir.resolve("other.pem"), otherKey, 10);
    assertThatThrownBy(() -> tls(cert, otherKey))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("http.tls.keyPath = '" + otherKey + "'")
        .hasMessageContaining("does not belong");
    assertThatThrownBy(() -> tls(key, key))
        .hasMessageContaining("http.tls.certPath")
        .hasMessageContaining("certificate");
    assertThatThrownBy(() -> tls(cert, cert))
        .hasMessageContaining("http.tls.keyPath")
        .hasMessageContaining("private key");
  }

  private static CoordinatorConfig tls(Path cert, Path key) {
    return CoordinatorConfig.from(
        Settings.load(
            null,
            Map.of(),
            Map.of("http.tls.certPath", cert.toString(), "http.tls.keyPath", key.toString())));
  }

  private static CoordinatorConfig load(String key, String value) {
    return load(Map.of(key, value));
  }

  private static CoordinatorConfig load(Map<String, String> flags) {
    return CoordinatorConfig.from(Settings.load(null, Map.of(), flags));
  }

  @Test
  void theLauncherExitsWith78OnBadConfigAnd2OnABadOption() {
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured));
    try {
      assertThat(Main.run("coordinator", "--set", "tree.maxChildren=0")).isEqualTo(78);
      assertThat(Main.run("coordinator", "--no-such-flag")).isEqualTo(2);
      assertThat(Main.run("coordinator", "--port", "abc")).isEqualTo(2);
    } finally {
      System.setErr(err);
    }
    assertThat(captured.toString())
        .contains("configuration error: tree.maxChildren")
        .contains("Unknown option: '--no-such-flag'")
        .doesNotContain("at dev.waterfall");
  }

  @Test
  void everyKeyIsDocumented() throws Exception {
    String docs = Files.readString(Path.of("../../docs/configuration.md"));
    for (String key : Settings.defaultsOnly().asMap().keySet()) {
      assertThat(docs)
          .as("docs/configuration.md documents " + key)
          .contains("`" + key + "`")
          .contains("`" + Settings.envName(key) + "`");
    }
  }
}
