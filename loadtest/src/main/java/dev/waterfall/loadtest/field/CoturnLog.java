package dev.waterfall.loadtest.field;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What coturn's verbose log says TURN did in a run: allocations, permissions and channel binds
 * granted, how many allocations relayed data both ways, and relay sends that failed. A failed send
 * closes the relay socket that made it (coturn marks it to be closed), so every one of those lines
 * is an allocation lost: a run with any has a TURN path the lab broke, not one ICE tried.
 */
record CoturnLog(
    int allocations,
    int permissions,
    int channelBinds,
    int allocationsCarrying,
    int relaySendFailures) {

  static CoturnLog read(Path log) throws IOException {
    return parse(Files.exists(log) ? Files.readAllLines(log) : List.of());
  }

  static CoturnLog parse(List<String> lines) {
    int allocations = 0;
    int permissions = 0;
    int binds = 0;
    int carrying = 0;
    int failures = 0;
    for (String line : lines) {
      if (line.contains("incoming packet ALLOCATE processed, success")) {
        allocations++;
      } else if (line.contains("incoming packet CREATE_PERMISSION processed, success")) {
        permissions++;
      } else if (line.contains("incoming packet CHANNEL_BIND processed, success")) {
        binds++;
      } else if (line.startsWith("udp send:")) {
        failures++;
      } else if (line.contains(": peer usage: ") && received(line) && sent(line)) {
        // the closing tally of one allocation: it got packets from a peer and sent some back
        carrying++;
      }
    }
    return new CoturnLog(allocations, permissions, binds, carrying, failures);
  }

  private static boolean received(String line) {
    return !line.contains(", rp=0,");
  }

  private static boolean sent(String line) {
    return !line.contains(", sp=0,");
  }

  ObjectNode json() {
    return JsonNodeFactory.instance
        .objectNode()
        .put("allocations", allocations)
        .put("permissions", permissions)
        .put("channelBinds", channelBinds)
        .put("allocationsCarrying", allocationsCarrying)
        .put("relaySendFailures", relaySendFailures);
  }
}
