package dev.waterfall.loadtest.field;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the lab needs on the machine, checked before anything is built, and the delayer compiled
 * from source.
 */
final class Tools {
  private Tools() {}

  /** Each tool and the Debian package that has it. */
  private static final List<String[]> NEEDED =
      List.of(
          new String[] {"ip", "iproute2"},
          new String[] {"tc", "iproute2"},
          new String[] {"iptables", "iptables"},
          new String[] {"curl", "curl"},
          new String[] {"turnserver", "coturn"},
          new String[] {"caddy", "caddy"},
          new String[] {"cc", "gcc"},
          new String[] {"chromium", "chromium"});

  static void require() throws IOException, InterruptedException {
    if (!"root".equals(System.getProperty("user.name"))) {
      throw new IllegalStateException("the field lab builds network namespaces: run it as root");
    }
    List<String> missing = new ArrayList<>();
    for (String[] tool : NEEDED) {
      if (new ProcessBuilder("sh", "-c", "command -v " + tool[0]).start().waitFor() != 0) {
        missing.add(tool[1]);
      }
    }
    if (!Files.exists(Path.of("/usr/include/libnetfilter_queue/libnetfilter_queue.h"))) {
      missing.add("libnetfilter-queue-dev");
    }
    if (new ProcessBuilder("sh", "-c", "ldconfig -p | grep -q libpulse.so.0").start().waitFor()
        != 0) {
      missing.add("libpulse0"); // webrtc-java's native library links it, even with no sound
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException(
          "the field lab needs: apt-get install -y "
              + String.join(" ", missing.stream().distinct().toList()));
    }
  }

  /** Compiles the packet delayer (delayer.c, shipped in this jar) into {@code dir}. */
  static Path buildDelayer(Path dir) throws IOException, InterruptedException {
    Path source = dir.resolve("delayer.c");
    try (InputStream in = Tools.class.getResourceAsStream("delayer.c")) {
      if (in == null) {
        throw new IllegalStateException("delayer.c is missing from the loadtest jar");
      }
      Files.write(source, in.readAllBytes());
    }
    Path binary = dir.resolve("wf-delayer");
    Process cc =
        new ProcessBuilder(
                "cc", "-O2", "-o", binary.toString(), source.toString(), "-lnetfilter_queue")
            .redirectErrorStream(true)
            .start();
    String out = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (cc.waitFor() != 0) {
      throw new IOException("compiling the delayer failed: " + out);
    }
    return binary;
  }
}
