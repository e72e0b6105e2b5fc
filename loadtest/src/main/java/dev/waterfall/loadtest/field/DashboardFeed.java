package dev.waterfall.loadtest.field;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * The coordinator's dashboard feed (server-sent events) as the lab reads it, from inside the
 * server's namespace: the nodes of its first snapshot.
 */
final class DashboardFeed {
  private static final ObjectMapper JSON = new ObjectMapper();

  private DashboardFeed() {}

  /** The first snapshot's nodes; null if unreadable. */
  static JsonNode read(Lab lab, String namespace, String url, String adminToken) {
    try {
      // An event stream never ends: curl stops after a few seconds, and what came is kept.
      return firstNodes(
          lab.exec(
              namespace,
              "sh",
              "-c",
              "curl -sN --max-time 4 -H 'Authorization: Bearer "
                  + adminToken
                  + "' "
                  + url
                  + " || true"));
    } catch (IOException | InterruptedException e) {
      return null; // the report says the figures are missing
    }
  }

  /** The {@code nodes} of the first {@code data:} event that has them, or null. */
  static JsonNode firstNodes(String eventStream) throws IOException {
    for (String line : eventStream.split("\n")) {
      if (line.startsWith("data: {") && line.contains("\"nodes\"")) {
        return JSON.readTree(line.substring("data: ".length())).path("nodes");
      }
    }
    return null;
  }
}
