package dev.waterfall.loadtest.relaytree;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.kit.processes.HostProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class RepairFiguresTest {
  /** A host whose process is `true` (gone at once): only its reported lines matter here. */
  private static HostProcess host(Path log, String... lines) throws Exception {
    HostProcess h = new HostProcess(0, List.of("true"), log);
    for (String line : lines) {
      h.log.accept(line);
    }
    return h;
  }

  @Test
  void orphansAndTheSwappedLeafAreTimedFromTheKill() throws Exception {
    Path log = Files.createTempFile("hosts", ".log");
    // origin o → g → d (killed at 10,000) → c; the leaf l sat under p and takes d's place under g.
    HostProcess g = host(log, "joined g 0", "parent o 100");
    HostProcess d = host(log, "joined d 0", "parent g 200");
    HostProcess p = host(log, "joined p 0", "parent g 300");
    HostProcess c = host(log, "joined c 0", "parent d 400", "parent l 10300", "flow l 10450");
    HostProcess l = host(log, "joined l 0", "parent p 500", "parent g 10200", "flow g 10350");
    // the replacement: not a leaf
    HostProcess fresh = host(log, "joined n 0", "parent g 10100", "flow g 10900");
    List<HostProcess> hosts = List.of(g, d, p, c, l, fresh);
    ObjectNode figures = JsonNodeFactory.instance.objectNode();

    RepairFigures.put(
        figures,
        hosts,
        new Topology(hosts, "o"),
        List.of(new Kill(10_000, "d", "g", List.of("c"))));

    assertThat(figures.path("orphans").asInt()).isEqualTo(1);
    assertThat(figures.path("repairs").get(0).path("dataFlowingAfterMs").asLong()).isEqualTo(450);
    assertThat(figures.path("leafMoves")).hasSize(1);
    assertThat(figures.path("leafMoves").get(0).path("leaf").asText()).isEqualTo("l");
    assertThat(figures.path("leafMoves").get(0).path("newParentLinkedAfterMs").asLong())
        .isEqualTo(200);
    assertThat(figures.path("leafRepairMs").path("maxMs").asDouble()).isBetween(349.0, 351.0);
  }
}
