package dev.waterfall.relay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.protocol.Message;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * What {@code publish} announces as its encoder endpoint: the RTMP or WHIP URL OBS is pointed at,
 * on the public host.
 */
@DisplayName("publish: the ingest endpoint it announces")
class PublishIngestTest {
  /** What {@code publish --stream talk --key k} with these flags announces. */
  private static Message.Ingest ingest(String... flags) {
    PublishCommand command = new PublishCommand();
    String[] args = new String[flags.length + 4];
    System.arraycopy(new String[] {"--stream", "talk", "--key", "k"}, 0, args, 0, 4);
    System.arraycopy(flags, 0, args, 4, flags.length);
    new CommandLine(command).parseArgs(args);
    return command.ingest();
  }

  @Test
  void rtmpOnTheHttpHostByDefault() {
    assertThat(ingest("--rtmp", "1935", "--http-host", "192.168.1.20"))
        .isEqualTo(new Message.Ingest("rtmp://192.168.1.20:1935/live", null));
  }

  @Test
  void thePublicUrlNamesTheHost() {
    assertThat(
            ingest(
                "--rtmp",
                "1935",
                "--http-host",
                "0.0.0.0",
                "--public-url",
                "https://origin.example.org"))
        .isEqualTo(new Message.Ingest("rtmp://origin.example.org:1935/live", null));
  }

  @Test
  @DisplayName("with --tls-cert the RTMP port speaks RTMPS: OBS is shown rtmps://")
  void rtmpsWithACertificate() {
    assertThat(
            ingest(
                "--rtmp",
                "1935",
                "--http-host",
                "origin.example.org",
                "--tls-cert",
                "/etc/waterfall/cert.pem",
                "--tls-key",
                "/etc/waterfall/key.pem"))
        .isEqualTo(new Message.Ingest("rtmps://origin.example.org:1935/live", null));
  }

  @Test
  void ipv6IsBracketed() {
    assertThat(ingest("--rtmp", "1935", "--http-host", "::1").rtmp())
        .isEqualTo("rtmp://[::1]:1935/live");
  }

  @Test
  void otherInputsAnnounceNothing() {
    assertThat(ingest("--sample")).isNull();
    assertThat(ingest("--ingest")).isNull();
  }

  @Test
  void whipUnderThePublicUrlElseOnTheHttpPort() {
    assertThat(
            ingest(
                "--whip",
                "--http-port",
                "8443",
                "--http-host",
                "0.0.0.0",
                "--public-url",
                "https://origin.example.org/"))
        .isEqualTo(new Message.Ingest(null, "https://origin.example.org/whip/talk"));
    assertThat(ingest("--whip", "--http-port", "8443", "--http-host", "192.168.1.20").whip())
        .isEqualTo("http://192.168.1.20:8443/whip/talk");
    assertThat(ingest("--whip", "--http-port", "0")).isNull();
  }
}
