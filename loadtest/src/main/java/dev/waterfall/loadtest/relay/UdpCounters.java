package dev.waterfall.loadtest.relay;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The network namespace's UDP counters from {@code /proc/net/snmp}: DataChannels ride SCTP over
 * DTLS over UDP, so a datagram dropped for a full socket buffer shows here, and costs an SCTP
 * retransmission timeout.
 */
final class UdpCounters {
  static final List<String> NAMES =
      List.of("InDatagrams", "NoPorts", "InErrors", "OutDatagrams", "RcvbufErrors", "SndbufErrors");

  private UdpCounters() {}

  static long[] read() {
    try {
      return parse(Files.readAllLines(Path.of("/proc/net/snmp")));
    } catch (Exception e) {
      return new long[NAMES.size()];
    }
  }

  static long[] parse(List<String> lines) {
    long[] out = new long[NAMES.size()];
    String[] head = null;
    for (String line : lines) {
      if (!line.startsWith("Udp:")) {
        continue;
      }
      String[] f = line.substring(4).trim().split("\\s+");
      if (head == null) {
        head = f;
      } else {
        for (int i = 0; i < head.length && i < f.length; i++) {
          int at = NAMES.indexOf(head[i]);
          if (at >= 0) {
            out[at] = Long.parseLong(f[i]);
          }
        }
        break;
      }
    }
    return out;
  }

  static ObjectNode delta(long[] before, long[] after) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    for (int i = 0; i < NAMES.size(); i++) {
      o.put(NAMES.get(i), after[i] - before[i]);
    }
    return o;
  }
}
