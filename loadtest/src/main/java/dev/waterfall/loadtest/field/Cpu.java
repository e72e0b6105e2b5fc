package dev.waterfall.loadtest.field;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine's CPU counters from /proc/stat (all cores): busy share between two readings. */
record Cpu(long busy, long total) {
  static Cpu read() throws IOException {
    String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
    long total = 0;
    for (int i = 1; i < f.length; i++) {
      total += Long.parseLong(f[i]);
    }
    long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]); // idle + iowait
    return new Cpu(total - idle, total);
  }

  double busySince(Cpu before) {
    long t = total - before.total;
    return t <= 0 ? 0 : (double) (busy - before.busy) / t;
  }
}
