package dev.waterfall.loadtest.kit.processes;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Just enough of the Prometheus text format to read the coordinator's {@code /metrics}: sums of the
 * samples of one metric whose labels include a given set (heap = every {@code
 * jvm_memory_used_bytes{area="heap"}} pool).
 */
public final class Prometheus {
  private Prometheus() {}

  /**
   * Sum of the samples named {@code name} whose labels contain all of {@code labels}; empty if
   * none.
   */
  public static OptionalDouble sum(String text, String name, Map<String, String> labels) {
    double total = 0;
    boolean found = false;
    for (String line : text.split("\n")) {
      if (line.isEmpty() || line.startsWith("#") || !line.startsWith(name)) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      if (space < 0) {
        continue;
      }
      String metric =
          brace >= 0 && brace < space
              ? line.substring(0, brace)
              : line.substring(0, line.indexOf(' '));
      if (!metric.equals(name)) {
        continue;
      }
      Map<String, String> have =
          brace >= 0 && brace < space
              ? parseLabels(line.substring(brace + 1, line.lastIndexOf('}')))
              : Map.of();
      if (!have.entrySet().containsAll(labels.entrySet())) {
        continue;
      }
      try {
        total += Double.parseDouble(line.substring(space + 1).trim());
        found = true;
      } catch (NumberFormatException e) {
        // a sample we cannot read is skipped, not fatal: the figure is then absent, not wrong
      }
    }
    return found ? OptionalDouble.of(total) : OptionalDouble.empty();
  }

  static Map<String, String> parseLabels(String body) {
    Map<String, String> out = new HashMap<>();
    int i = 0;
    while (i < body.length()) {
      int eq = body.indexOf('=', i);
      if (eq < 0 || eq + 1 >= body.length() || body.charAt(eq + 1) != '"') {
        break;
      }
      String key = body.substring(i, eq).trim();
      StringBuilder value = new StringBuilder();
      int j = eq + 2;
      for (; j < body.length() && body.charAt(j) != '"'; j++) {
        char c = body.charAt(j);
        if (c == '\\' && j + 1 < body.length()) {
          c = body.charAt(++j);
          value.append(c == 'n' ? '\n' : c);
        } else {
          value.append(c);
        }
      }
      out.put(key, value.toString());
      i = j + 1;
      while (i < body.length() && (body.charAt(i) == ',' || body.charAt(i) == ' ')) {
        i++;
      }
    }
    return out;
  }
}
