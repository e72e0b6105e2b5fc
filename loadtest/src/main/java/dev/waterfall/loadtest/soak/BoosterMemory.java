package dev.waterfall.loadtest.soak;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Reads the booster process's memory from outside, as an operator would: its resident set from
 * {@code /proc/<pid>/status}, and from one jcmd call the live heap (after a full GC, so garbage
 * does not count as growth) and NMT's committed memory. One jcmd call a sample keeps the cost to
 * one short JVM start.
 */
final class BoosterMemory {
  /** One reading; megabytes, NaN where it could not be read. */
  record Reading(double rssMb, double rssAnonMb, JvmMemory jvm) {}

  private final long pid;
  private final Path commands;

  BoosterMemory(long pid) throws IOException {
    this.pid = pid;
    this.commands = Files.createTempFile("waterfall-soak-jcmd-", ".txt");
    Files.writeString(commands, "GC.run\nGC.heap_info\nVM.native_memory summary scale=KB\n");
    commands.toFile().deleteOnExit();
  }

  Reading read() throws IOException, InterruptedException {
    double rss = Double.NaN;
    double anon = Double.NaN;
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        rss = kb(line) / 1024.0;
      } else if (line.startsWith("RssAnon:")) {
        anon = kb(line) / 1024.0;
      }
    }
    return new Reading(rss, anon, JvmMemory.parse(jcmd()));
  }

  private static long kb(String statusLine) {
    return Long.parseLong(statusLine.replaceAll("[^0-9]", ""));
  }

  private String jcmd() throws IOException, InterruptedException {
    Path tool = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Path out = Files.createTempFile("waterfall-soak-jcmd-", ".out");
    try {
      Process p =
          new ProcessBuilder(
                  List.of(tool.toString(), Long.toString(pid), "-f", commands.toString()))
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      // a wedged attach must not stall the run: this sample goes without
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return "";
      }
      return Files.readString(out, StandardCharsets.UTF_8);
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
