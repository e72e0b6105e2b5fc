package dev.waterfall.loadtest.soak;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The booster JVM's memory as one jcmd call ({@code GC.run}, {@code GC.heap_info}, {@code
 * VM.native_memory summary scale=KB}) prints it: the live Java heap (generations' used, right after
 * the full GC) and what Native Memory Tracking counts as committed, in total and per category. A
 * figure jcmd did not print (NMT off) is -1.
 */
record JvmMemory(long heapUsedKb, long nmtCommittedKb, Map<String, Long> nmtCategoriesKb) {
  // " def new generation   total 19648K, used 0K [...", " tenured generation ...", " garbage-first
  // heap ..."
  private static final Pattern GENERATION =
      Pattern.compile("^\\s*\\S.*?\\s+total (\\d+)K, used (\\d+)K");
  private static final Pattern TOTAL =
      Pattern.compile("^Total: reserved=(\\d+)KB, committed=(\\d+)KB");
  private static final Pattern CATEGORY =
      Pattern.compile("^-\\s+(.+?) \\(reserved=(\\d+)KB, committed=(\\d+)KB\\)");

  static JvmMemory parse(String jcmdOutput) {
    long heap = -1;
    long total = -1;
    Map<String, Long> categories = new LinkedHashMap<>();
    for (String line : jcmdOutput.split("\n")) {
      Matcher g = GENERATION.matcher(line);
      if (g.find()) {
        heap = Math.max(heap, 0) + Long.parseLong(g.group(2));
        continue;
      }
      Matcher t = TOTAL.matcher(line);
      if (t.find()) {
        total = Long.parseLong(t.group(2));
        continue;
      }
      Matcher c = CATEGORY.matcher(line);
      if (c.find()) {
        categories.put(c.group(1).trim(), Long.parseLong(c.group(3)));
      }
    }
    return new JvmMemory(heap, total, java.util.Collections.unmodifiableMap(categories));
  }
}
