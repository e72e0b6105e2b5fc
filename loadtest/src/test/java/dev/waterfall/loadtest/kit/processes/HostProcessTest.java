package dev.waterfall.loadtest.kit.processes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class HostProcessTest {
  @Test
  void theRecycleBoundIsAFourthArgumentOnlyWhenSet() {
    List<String> plain = HostProcess.command(List.of("-Xmx64m"), "http://c", "s", "t");
    assertThat(plain).contains("-Xmx64m").endsWith(RelayHost.class.getName(), "http://c", "s", "t");
    assertThat(HostProcess.command(List.of(), "http://c", "s", "t", 0))
        .endsWith(RelayHost.class.getName(), "http://c", "s", "t");
    assertThat(HostProcess.command(List.of(), "http://c", "s", "t", 500))
        .endsWith(RelayHost.class.getName(), "http://c", "s", "t", "500");
  }
}
